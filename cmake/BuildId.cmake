# BuildId.cmake — run with `cmake -P`: writes OUT, a header defining
# TESSEL_BUILD_ID as the SHA-256 of the compiler's sources, so compile-cache
# keys change whenever the compiler does (not only when the version does).
file(GLOB_RECURSE files LIST_DIRECTORIES false
  ${SRC}/compiler/*.cpp ${SRC}/compiler/*.h ${SRC}/compiler/*.td)
list(SORT files)
set(all "")
foreach(f ${files})
  file(SHA256 ${f} h)
  string(APPEND all "${h}\n")
endforeach()
string(SHA256 id "${all}")
set(text "#define TESSEL_BUILD_ID \"${id}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
