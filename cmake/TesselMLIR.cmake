# TesselMLIR.cmake — finds Debian's MLIR/LLVM 22 the way MLIR's examples/standalone does.
# Sets up TableGen, lit and the "split" link mode (static libMLIR*.a + shared libLLVM.so).
find_package(MLIR REQUIRED CONFIG
  HINTS /usr/lib/llvm-22/lib/cmake/mlir)
message(STATUS "Tessel: MLIR ${MLIR_DIR}, LLVM ${LLVM_PACKAGE_VERSION}")

set(LLVM_RUNTIME_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/bin)
set(LLVM_LIBRARY_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/lib)
set(MLIR_BINARY_DIR ${CMAKE_BINARY_DIR})
list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
include(TableGen)
include(AddLLVM)
include(AddMLIR)
include(HandleLLVMOptions)

include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
# Debian's LLVM_DEFINITIONS is one string; split it or -D flags arrive mangled.
separate_arguments(TESSEL_LLVM_DEFS NATIVE_COMMAND "${LLVM_DEFINITIONS}")
add_definitions(${TESSEL_LLVM_DEFS})

if(NOT LLVM_EXTERNAL_LIT)
  set(LLVM_EXTERNAL_LIT /usr/lib/llvm-22/bin/lit)
endif()
set(TESSEL_LLVM_TOOLS_DIR /usr/lib/llvm-22/bin)
