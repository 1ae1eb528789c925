//===- ArgPack.cpp - Argument storage and the kernelParams array ----------===//
//
// Arguments are stored at their natural alignment in one over-aligned buffer;
// the pointer array is rebuilt from offsets, so growing the buffer never
// leaves a dangling pointer behind.
//
//===----------------------------------------------------------------------===//

#include "tessel/runtime/ArgPack.h"

#include <algorithm>

namespace tessel::rt {

ArgPack &ArgPack::append(ArgKind kind, const void *value, std::size_t size,
                         std::size_t align) {
  std::size_t offset = (used_ + align - 1) / align * align;
  std::size_t end = offset + size;
  std::size_t chunks = (end + kMaxAlign - 1) / kMaxAlign;
  if (chunks > storage_.size())
    storage_.resize(std::max(chunks, storage_.size() * 2));
  std::memcpy(reinterpret_cast<unsigned char *>(storage_.data()) + offset,
              value, size);
  used_ = end;
  args_.push_back({kind, offset, size});
  return *this;
}

void **ArgPack::params() {
  pointers_.resize(args_.size());
  for (std::size_t i = 0; i < args_.size(); ++i)
    pointers_[i] =
        reinterpret_cast<unsigned char *>(storage_.data()) + args_[i].offset;
  return pointers_.empty() ? nullptr : pointers_.data();
}

std::string ArgPack::describe() const {
  std::string text = "(";
  for (std::size_t i = 0; i < args_.size(); ++i) {
    if (i)
      text += ", ";
    switch (args_[i].kind) {
    case ArgKind::Pointer:
      text += "ptr";
      break;
    case ArgKind::I32:
      text += "i32";
      break;
    case ArgKind::U32:
      text += "u32";
      break;
    case ArgKind::I64:
      text += "i64";
      break;
    case ArgKind::F32:
      text += "f32";
      break;
    case ArgKind::Bytes:
      text += std::to_string(args_[i].size) + " bytes";
      break;
    }
  }
  return text + ")";
}

void ArgPack::clear() {
  storage_.clear();
  used_ = 0;
  args_.clear();
  pointers_.clear();
}

} // namespace tessel::rt
