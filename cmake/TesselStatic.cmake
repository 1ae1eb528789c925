# TesselStatic.cmake — the "static" link mode (TESSEL_STATIC=ON, its own build
# dir): every LLVM archive instead of libLLVM.so, static libstdc++/libgcc, lld
# with section GC. Binaries then need only libc, libm, libz and libzstd, and
# run on the GPU machine, which has no LLVM. Same objects as the split mode
# (ccache makes this build a set of links).
execute_process(
  COMMAND ${LLVM_TOOLS_BINARY_DIR}/llvm-config --link-static --libnames all
  OUTPUT_VARIABLE _llvm_names OUTPUT_STRIP_TRAILING_WHITESPACE)
separate_arguments(_llvm_names UNIX_COMMAND "${_llvm_names}")
set(_llvm_archives)
foreach(name ${_llvm_names})
  if(EXISTS ${LLVM_LIBRARY_DIR}/${name})
    list(APPEND _llvm_archives ${LLVM_LIBRARY_DIR}/${name})
  endif()
endforeach()
add_library(TesselLLVMStatic INTERFACE)
target_link_libraries(TesselLLVMStatic INTERFACE
  -Wl,--start-group ${_llvm_archives} -Wl,--end-group z zstd ${CMAKE_DL_LIBS} pthread)

# MLIR's imported targets name the shared "LLVM": point them at the archives.
foreach(t ${MLIR_EXPORTED_TARGETS})
  if(TARGET ${t})
    get_target_property(_libs ${t} INTERFACE_LINK_LIBRARIES)
    if(_libs)
      list(TRANSFORM _libs REPLACE "^LLVM$" TesselLLVMStatic)
      set_target_properties(${t} PROPERTIES INTERFACE_LINK_LIBRARIES "${_libs}")
    endif()
  endif()
endforeach()
set(TESSEL_LLVM_LINK TesselLLVMStatic)

# Link flags of every binary in this mode.
set(TESSEL_STATIC_LINK_OPTIONS -static-libstdc++ -static-libgcc
  -B${LLVM_TOOLS_BINARY_DIR} -fuse-ld=lld -Wl,--gc-sections -Wl,--icf=all -s)
