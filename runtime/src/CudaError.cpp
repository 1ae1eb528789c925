//===- CudaError.cpp - The text of a failed CUDA driver call --------------===//
//
// One format for every driver failure: the call, the kernel, the CUDA error
// name and description, and where in the runtime it happened.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/CudaDriver.h"

#include <cctype>
#include <sstream>

namespace tessel::rt {

std::string formatCudaError(int code, const char *name, const char *desc,
                            const char *call, std::string_view kernel,
                            const char *file, int line) {
  std::ostringstream os;
  os << (call && *call ? call : "CUDA driver call") << " failed";
  if (!kernel.empty())
    os << " for kernel '" << kernel << "'";
  os << ": ";
  if (name && *name)
    os << name;
  else
    os << "CUDA error " << code;
  if (desc && *desc)
    os << " (" << desc << ")";
  if (file && *file)
    os << " [" << file << ":" << line << "]";
  return os.str();
}

std::string_view cudaCallName(std::string_view callText) {
  // The call's '(' is the first one that follows an identifier; earlier ones
  // belong to the callee's object, as in "(*drv)->cuInit(0)".
  for (size_t paren = callText.find('('); paren != std::string_view::npos;
       paren = callText.find('(', paren + 1)) {
    size_t end = paren;
    while (end > 0 &&
           std::isspace(static_cast<unsigned char>(callText[end - 1])))
      --end;
    size_t begin = end;
    while (begin > 0) {
      unsigned char c = static_cast<unsigned char>(callText[begin - 1]);
      if (!std::isalnum(c) && c != '_')
        break;
      --begin;
    }
    if (begin != end)
      return callText.substr(begin, end - begin);
  }
  return callText;
}

} // namespace tessel::rt
