# -*- Python -*-
# lit.cfg.py - lit configuration of the Tessel compiler tests.
# tessel-opt and tessel come from the build's bin directory; FileCheck, not and
# split-file from LLVM 22 (TESSEL_LLVM_TOOLS_DIR).

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "TESSEL"

config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)

# suffixes: A list of file extensions to treat as test files.
config.suffixes = [".mlir"]

# test_source_root: The root path where tests are located.
config.test_source_root = os.path.dirname(__file__)

# test_exec_root: The root path where tests should be run.
config.test_exec_root = os.path.join(config.tessel_obj_root, "tests", "lit")

# Inputs/ holds files that tests read, not tests.
config.excludes = ["Inputs", "CMakeLists.txt", "README.md"]

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# The tessel CLI caches every stage; tests never touch the user's cache.
config.environment["TESSEL_CACHE_DIR"] = os.path.join(
    config.test_exec_root, "tessel-cache"
)

# The example kernels, for tests that compile them end to end.
config.substitutions.append(("%kernels", os.path.join(config.tessel_src_root, "kernels")))

# Tools: ours first, then LLVM's; PATH so `not tessel ...` finds them too.
llvm_config.with_environment(
    "PATH", [config.tessel_tools_dir, config.llvm_tools_dir], append_path=True
)

tool_dirs = [config.tessel_tools_dir, config.llvm_tools_dir]
# `tessel` is also a word in options (--emit=tessel): substitute only the command.
tools = ["tessel-opt", ToolSubst("tessel", pre=r".-^/\<=%"), "split-file"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
