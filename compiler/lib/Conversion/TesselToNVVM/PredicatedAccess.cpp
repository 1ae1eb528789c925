//===- PredicatedAccess.cpp - masked element loads and stores, branch-free ===//
//
// Inline PTX with a predicate operand ("b": an i1 in a .pred register); the
// value travels as an integer of its width ("h" 16, "r" 32, "l" 64 bits).
//
//===----------------------------------------------------------------------===//
#include "PredicatedAccess.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <algorithm>

#include <string>

using namespace mlir;

namespace {

/// The integer type, register constraint and PTX width of `type`.
struct Bits {
  IntegerType type;
  const char *constraint;
  std::string width;
};

Bits bitsOf(OpBuilder &b, Type type) {
  unsigned n = type.getIntOrFloatBitWidth();
  const char *constraint = n == 16 ? "h" : n == 32 ? "r" : "l";
  return {b.getIntegerType(n), constraint, "b" + std::to_string(n)};
}

Value asInteger(OpBuilder &b, Location loc, Value v, IntegerType type) {
  return v.getType() == type ? v : LLVM::BitcastOp::create(b, loc, type, v);
}

LLVM::InlineAsmOp inlinePtx(OpBuilder &b, Location loc, TypeRange results,
                            ValueRange operands, const std::string &text,
                            const std::string &constraints) {
  return LLVM::InlineAsmOp::create(
      b, loc, results, operands, text, constraints,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
      ArrayAttr());
}

/// Bits of a scalar or of a whole vector.
unsigned totalBits(Type type) {
  if (auto v = dyn_cast<VectorType>(type))
    return v.getNumElements() * v.getElementType().getIntOrFloatBitWidth();
  return type.getIntOrFloatBitWidth();
}

} // namespace

void mlir::tessel::predicatedStore(OpBuilder &b, Location loc, Value value,
                                   Value ptr, Value pred) {
  const unsigned n = totalBits(value.getType());
  if (n == 128) {
    // Four 32-bit words: st.global.v4.b32.
    auto words = LLVM::BitcastOp::create(
        b, loc, VectorType::get({4}, b.getI32Type()), value);
    SmallVector<Value> operands{pred, ptr};
    for (int i = 0; i < 4; ++i)
      operands.push_back(LLVM::ExtractElementOp::create(
          b, loc, words,
          LLVM::ConstantOp::create(b, loc, b.getI32Type(), i)));
    inlinePtx(b, loc, TypeRange{}, operands,
              "@$0 st.global.v4.b32 [$1], {$2, $3, $4, $5};",
              "b,l,r,r,r,r,~{memory}");
    return;
  }
  if (n != 8 && n != 16 && n != 32 && n != 64) {
    // No PTX register of this width (i1): the branch.
    scf::IfOp::create(b, loc, pred, [&](OpBuilder &tb, Location l) {
      LLVM::StoreOp::create(tb, l, value, ptr, std::max(1u, n / 8));
      scf::YieldOp::create(tb, l);
    });
    return;
  }
  Value word = asInteger(b, loc, value, b.getIntegerType(n));
  if (n == 8) // st.b8 takes a 16-bit register
    word = LLVM::ZExtOp::create(b, loc, b.getI16Type(), word);
  Bits bits = bitsOf(b, word.getType());
  inlinePtx(b, loc, TypeRange{}, ValueRange{pred, ptr, word},
            "@$0 st.global.b" + std::to_string(n) + " [$1], $2;",
            std::string("b,l,") + bits.constraint + ",~{memory}");
}

Value mlir::tessel::predicatedLoad(OpBuilder &b, Location loc, Type type,
                                   Value ptr, Value pred, Value other) {
  const unsigned n = totalBits(type);
  if (n == 128) {
    // Four 32-bit words: ld.global.v4.b32 over the four words of `other`.
    auto wordsType = VectorType::get({4}, b.getI32Type());
    auto i32 = [&](int i) {
      return LLVM::ConstantOp::create(b, loc, b.getI32Type(), i);
    };
    Value init = LLVM::BitcastOp::create(b, loc, wordsType, other);
    SmallVector<Value> operands{pred, ptr};
    for (int i = 0; i < 4; ++i)
      operands.push_back(LLVM::ExtractElementOp::create(b, loc, init, i32(i)));
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, b.getI32Type()));
    auto op = inlinePtx(b, loc, TypeRange{resultType}, operands,
                        "mov.b32 $0, $6;\n\tmov.b32 $1, $7;\n\t"
                        "mov.b32 $2, $8;\n\tmov.b32 $3, $9;\n\t"
                        "@$4 ld.global.v4.b32 {$0, $1, $2, $3}, [$5];",
                        "=r,=r,=r,=r,b,l,r,r,r,r,~{memory}");
    Value words = LLVM::PoisonOp::create(b, loc, wordsType);
    for (int i = 0; i < 4; ++i)
      words = LLVM::InsertElementOp::create(
          b, loc, words,
          LLVM::ExtractValueOp::create(b, loc, op.getResult(0), i), i32(i));
    return LLVM::BitcastOp::create(b, loc, type, words);
  }
  Bits bits = bitsOf(b, b.getIntegerType(n));
  auto op = inlinePtx(
      b, loc, TypeRange{bits.type},
      ValueRange{pred, ptr, asInteger(b, loc, other, bits.type)},
      "mov." + bits.width + " $0, $3;\n\t@$1 ld.global." + bits.width +
          " $0, [$2];",
      std::string("=") + bits.constraint + ",b,l," + bits.constraint +
          ",~{memory}");
  Value raw = op.getResult(0);
  return type == bits.type
             ? raw
             : LLVM::BitcastOp::create(b, loc, type, raw).getResult();
}
