//===- TesselDialect.cpp - Tessel ops, types and their verifiers ----------===//
//
// Every constraint ODS cannot state is checked here with a located message:
// shapes and element types of dot, masks, pointer element types, static and
// power-of-two tile sizes.
//
//===----------------------------------------------------------------------===//
#include "tessel/Dialect/Tessel/IR/Tessel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tessel;

#include "tessel/Dialect/Tessel/IR/TesselOpsDialect.cpp.inc"
#include "tessel/Dialect/Tessel/IR/TesselOpsEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "tessel/Dialect/Tessel/IR/TesselOpsTypes.cpp.inc"

void TesselDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "tessel/Dialect/Tessel/IR/TesselOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "tessel/Dialect/Tessel/IR/TesselOps.cpp.inc"
      >();
}

Type mlir::tessel::elementTypeOf(Type t) {
  if (auto tensor = dyn_cast<RankedTensorType>(t))
    return tensor.getElementType();
  return t;
}

LogicalResult PtrType::verify(function_ref<InFlightDiagnostic()> emitError,
                              Type pointee) {
  if (!isa<IntegerType, FloatType>(pointee))
    return emitError() << "!tessel.ptr must point to an integer or float "
                          "scalar, not "
                       << pointee;
  return success();
}

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

/// Static tile dimensions must be positive powers of two (layouts split them
/// over lanes and warps with shifts and masks).
static LogicalResult verifyTileDims(Operation *op, Type type,
                                    StringRef what = "result") {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return success();
  for (auto [i, d] : llvm::enumerate(tensor.getShape()))
    if (!ShapedType::isDynamic(d) && (d <= 0 || (d & (d - 1)) != 0))
      return op->emitOpError() << what << " dimension " << i << " is " << d
                               << "; tile dimensions must be powers of two";
  return success();
}

/// Ops that create tiles of `?` dimensions take one size operand per `?`.
static LogicalResult verifySizes(Operation *op, RankedTensorType type,
                                 ValueRange sizes) {
  if (sizes.size() != static_cast<size_t>(type.getNumDynamicDims()))
    return op->emitOpError()
           << "has " << sizes.size() << " size operand(s) but its result "
           << type << " has " << type.getNumDynamicDims()
           << " dynamic dimension(s)";
  return verifyTileDims(op, type);
}

/// Two shapes agree where both are static.
static bool shapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError("needs a non-empty name");
  if (auto values = getValues()) {
    if (values->empty())
      return emitOpError("lists no values for '") << getName() << "'";
    for (int64_t v : *values)
      if (v <= 0)
        return emitOpError("value ")
               << v << " of '" << getName() << "' is not positive";
    if (auto def = getDefaultValueAttr())
      if (!llvm::is_contained(*values, def.getInt()))
        return emitOpError("default ") << def.getInt() << " of '" << getName()
                                       << "' is not among its values";
  }
  // The attribute getter is unsigned; read the signed value.
  if (auto def = getDefaultValueAttr(); def && def.getInt() <= 0)
    return emitOpError("default ")
           << def.getInt() << " of '" << getName() << "' is not positive";
  return success();
}

LogicalResult RangeOp::verify() {
  return verifySizes(*this, getType(), getSizes());
}

LogicalResult SplatOp::verify() {
  if (getType().getElementType() != getValue().getType())
    return emitOpError("splats ") << getValue().getType() << " into a tile of "
                                  << getType().getElementType();
  return verifySizes(*this, getType(), getSizes());
}

LogicalResult BroadcastOp::verify() {
  auto src = getSrc().getType(), dst = getType();
  if (src.getElementType() != dst.getElementType())
    return emitOpError("changes the element type from ")
           << src.getElementType() << " to " << dst.getElementType();
  if (src.getRank() != dst.getRank())
    return emitOpError("broadcasts rank ")
           << src.getRank() << " to rank " << dst.getRank()
           << "; use tessel.expand_dims to add dimensions";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(src.getShape(), dst.getShape()))) {
    auto [s, d] = pair;
    if (s != 1 && !ShapedType::isDynamic(s) && !ShapedType::isDynamic(d) &&
        s != d)
      return emitOpError("dimension ")
             << i << " of size " << s << " cannot broadcast to " << d;
  }
  return verifySizes(*this, dst, getSizes());
}

LogicalResult ExpandDimsOp::verify() {
  auto src = getSrc().getType(), dst = getType();
  int64_t axis = getAxisAttr().getInt(); // signed: the getter is unsigned
  if (axis < 0 || axis > src.getRank())
    return emitOpError("axis ")
           << axis << " is out of range for rank " << src.getRank();
  if (dst.getRank() != src.getRank() + 1 || dst.getDimSize(axis) != 1)
    return emitOpError("result must be the source with a 1 inserted at axis ")
           << axis;
  SmallVector<int64_t> expect(src.getShape());
  expect.insert(expect.begin() + axis, 1);
  if (!shapesCompatible(expect, dst.getShape()) ||
      src.getElementType() != dst.getElementType())
    return emitOpError("result ")
           << dst << " does not match " << src << " with a 1 at axis " << axis;
  return success();
}

LogicalResult TransOp::verify() {
  auto src = getSrc().getType(), dst = getType();
  if (src.getRank() != 2)
    return emitOpError("transposes 2-D tiles; the source has rank ")
           << src.getRank();
  SmallVector<int64_t> expect{src.getDimSize(1), src.getDimSize(0)};
  if (dst.getRank() != 2 || !shapesCompatible(expect, dst.getShape()) ||
      src.getElementType() != dst.getElementType())
    return emitOpError("result ") << dst << " is not the transpose of " << src;
  return success();
}

LogicalResult AddPtrOp::verify() {
  auto ptrTile = dyn_cast<RankedTensorType>(getPtr().getType());
  auto offTile = dyn_cast<RankedTensorType>(getOffset().getType());
  if ((ptrTile == nullptr) != (offTile == nullptr))
    return emitOpError(
        "pointer and offset must both be scalars or both be tiles");
  if (ptrTile && !shapesCompatible(ptrTile.getShape(), offTile.getShape()))
    return emitOpError("offset shape ")
           << offTile << " differs from pointer shape " << ptrTile;
  return success();
}

void LoadOp::build(OpBuilder &b, OperationState &state, Value ptr, Value mask,
                   Value other) {
  auto ptrType = cast<RankedTensorType>(ptr.getType());
  auto pointee = cast<PtrType>(ptrType.getElementType()).getPointee();
  build(b, state, ptrType.clone(pointee), ptr, mask, other);
}

LogicalResult LoadOp::verify() {
  auto ptrType = getPtr().getType();
  auto pointee = cast<PtrType>(ptrType.getElementType()).getPointee();
  auto result = getType();
  if (result.getElementType() != pointee)
    return emitOpError("loads ")
           << result.getElementType() << " through pointers to " << pointee;
  if (!shapesCompatible(result.getShape(), ptrType.getShape()))
    return emitOpError("result shape differs from pointer shape");
  if (getMask() &&
      !shapesCompatible(getMask().getType().getShape(), ptrType.getShape()))
    return emitOpError("mask ")
           << getMask().getType() << " does not have the pointers' shape "
           << ptrType;
  if (getOther() && !getMask())
    return emitOpError("'other' needs a mask");
  if (getOther() && getOther().getType() != result)
    return emitOpError("'other' ")
           << getOther().getType() << " differs from the result " << result;
  return success();
}

/// The box description both block ops share: rank 2 or 3, one offset and
/// one stride per dimension.
template <typename BlockOp>
static LogicalResult verifyBox(BlockOp op, StringRef what) {
  size_t rank = op.getShape().size();
  if (rank != 2 && rank != 3)
    return op.emitOpError("describes a tensor of rank ")
           << rank << "; block " << what
           << " take rank 2 or 3 (batch, rows, cols)";
  if (op.getOffsets().size() != rank || op.getStrides().size() != rank)
    return op.emitOpError("has ")
           << op.getOffsets().size() << " offset(s) and "
           << op.getStrides().size() << " stride(s) for a rank-" << rank
           << " shape";
  return success();
}

/// A split box (`second_half`): the tile's columns halve into whole 16-element
/// runs, so no vector access crosses from one half into the other. Checked
/// once the column count is known (a tile's sizes may be knobs).
static LogicalResult verifySecondHalf(Operation *op, bool split,
                                      int64_t columns) {
  if (!split || ShapedType::isDynamic(columns) || columns % 32 == 0)
    return success();
  return op->emitOpError("second_half needs a multiple of 32 columns (two "
                         "halves of whole 16-element runs), not ")
         << columns;
}

LogicalResult BlockLoadOp::verify() {
  if (failed(verifyBox(*this, "loads")))
    return failure();
  auto result = getType();
  if (result.getRank() != 2)
    return emitOpError("result ") << result << " is not a 2-D tile";
  Type pointee = getBase().getType().getPointee();
  if (result.getElementType() != pointee)
    return emitOpError("loads ")
           << result.getElementType() << " from a pointer to " << pointee;
  if (failed(
          verifySecondHalf(*this, (bool)getSecondHalf(), result.getDimSize(1))))
    return failure();
  return verifySizes(*this, result, getSizes());
}

LogicalResult BlockStoreOp::verify() {
  if (failed(verifyBox(*this, "stores")))
    return failure();
  auto value = cast<RankedTensorType>(getValue().getType());
  if (value.getRank() != 2)
    return emitOpError("value ") << value << " is not a 2-D tile";
  Type pointee = getBase().getType().getPointee();
  if (value.getElementType() != pointee)
    return emitOpError("stores ")
           << value.getElementType() << " through a pointer to " << pointee;
  return verifySecondHalf(*this, (bool)getSecondHalf(), value.getDimSize(1));
}

/// A flag of tessel.signal / tessel.wait: an i32 word.
static LogicalResult verifyFlags(Operation *op, PtrType flags) {
  if (!flags.getPointee().isInteger(32))
    return op->emitOpError("flags must be i32 words, not ")
           << flags.getPointee();
  return success();
}

LogicalResult SignalOp::verify() {
  return verifyFlags(*this, getFlags().getType());
}

LogicalResult WaitOp::verify() {
  return verifyFlags(*this, getFlags().getType());
}

void BlockStoreOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Write::get(),
                 SideEffects::DefaultResource::get());
}

void BlockLoadOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Read::get(), SideEffects::DefaultResource::get());
}

void LoadOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Read::get(), &getPtrMutable(),
                 SideEffects::DefaultResource::get());
}

// tessel.load %ptr[, %mask[, %other]] attr-dict : ptr-type
ParseResult LoadOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand, 3> ops;
  Type ptrType;
  if (parser.parseOperandList(ops) || ops.empty() || ops.size() > 3 ||
      parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseColonType(ptrType))
    return parser.emitError(parser.getCurrentLocation(),
                            "expected 'tessel.load %ptr[, %mask[, %other]] : "
                            "tensor<...x!tessel.ptr<T>>'");
  auto tile = dyn_cast<RankedTensorType>(ptrType);
  auto ptr = tile ? dyn_cast<PtrType>(tile.getElementType()) : PtrType();
  if (!ptr)
    return parser.emitError(parser.getNameLoc(),
                            "tessel.load needs a tile of !tessel.ptr, got ")
           << ptrType;
  Type maskType = tile.clone(parser.getBuilder().getI1Type());
  Type valueType = tile.clone(ptr.getPointee());
  Type types[] = {ptrType, maskType, valueType};
  for (auto [i, op] : llvm::enumerate(ops))
    if (parser.resolveOperand(op, types[i], result.operands))
      return failure();
  result.addAttribute(getOperandSegmentSizesAttrName(result.name),
                      parser.getBuilder().getDenseI32ArrayAttr(
                          {1, ops.size() > 1 ? 1 : 0, ops.size() > 2 ? 1 : 0}));
  result.addTypes(valueType);
  return success();
}

void LoadOp::print(OpAsmPrinter &p) {
  p << " " << getPtr();
  if (getMask())
    p << ", " << getMask();
  if (getOther())
    p << ", " << getOther();
  p.printOptionalAttrDict((*this)->getAttrs(), {"operandSegmentSizes"});
  p << " : " << getPtr().getType();
}

LogicalResult StoreOp::verify() {
  auto ptrType = getPtr().getType();
  auto pointee = cast<PtrType>(ptrType.getElementType()).getPointee();
  auto value = cast<RankedTensorType>(getValue().getType());
  if (value.getElementType() != pointee)
    return emitOpError("stores ")
           << value.getElementType() << " through pointers to " << pointee;
  if (!shapesCompatible(value.getShape(), ptrType.getShape()))
    return emitOpError("value ")
           << value << " does not have the pointers' shape " << ptrType;
  if (getMask() &&
      !shapesCompatible(getMask().getType().getShape(), ptrType.getShape()))
    return emitOpError("mask ")
           << getMask().getType() << " does not have the pointers' shape "
           << ptrType;
  return success();
}

void StoreOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Write::get(), &getPtrMutable(),
                 SideEffects::DefaultResource::get());
}

// tessel.store %ptr, %value[, %mask] attr-dict : ptr-type
ParseResult StoreOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand, 3> ops;
  Type ptrType;
  if (parser.parseOperandList(ops) || ops.size() < 2 || ops.size() > 3 ||
      parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseColonType(ptrType))
    return parser.emitError(parser.getCurrentLocation(),
                            "expected 'tessel.store %ptr, %value[, %mask] : "
                            "tensor<...x!tessel.ptr<T>>'");
  auto tile = dyn_cast<RankedTensorType>(ptrType);
  auto ptr = tile ? dyn_cast<PtrType>(tile.getElementType()) : PtrType();
  if (!ptr)
    return parser.emitError(parser.getNameLoc(),
                            "tessel.store needs a tile of !tessel.ptr, got ")
           << ptrType;
  Type types[] = {ptrType, tile.clone(ptr.getPointee()),
                  tile.clone(parser.getBuilder().getI1Type())};
  for (auto [i, op] : llvm::enumerate(ops))
    if (parser.resolveOperand(op, types[i], result.operands))
      return failure();
  return success();
}

void StoreOp::print(OpAsmPrinter &p) {
  p << " " << getPtr() << ", " << getValue();
  if (getMask())
    p << ", " << getMask();
  p.printOptionalAttrDict((*this)->getAttrs());
  p << " : " << getPtr().getType();
}

LogicalResult DotOp::verify() {
  auto a = getA().getType(), b = getB().getType(), c = getAcc().getType();
  if (a.getRank() != 2 || b.getRank() != 2 || c.getRank() != 2)
    return emitOpError("operands must be 2-D tiles");
  if (a.getElementType() != b.getElementType())
    return emitOpError("operand element types differ: ")
           << a.getElementType() << " and " << b.getElementType();
  Type e = a.getElementType();
  if (!e.isBF16() && !e.isF16() && !e.isF32() &&
      !isa<Float8E4M3FNType, Float8E5M2Type>(e))
    return emitOpError("operands of ")
           << e << " are not supported; use bf16, f16, f8E4M3FN, f8E5M2 or f32";
  if (!c.getElementType().isF32())
    return emitOpError("accumulates in ")
           << c.getElementType() << "; the accumulator must be f32";
  auto dim = [](RankedTensorType t, int i) { return t.getDimSize(i); };
  auto agree = [](int64_t x, int64_t y) {
    return ShapedType::isDynamic(x) || ShapedType::isDynamic(y) || x == y;
  };
  if (!agree(dim(a, 1), dim(b, 0)))
    return emitOpError("contracts K = ")
           << dim(a, 1) << " of a with K = " << dim(b, 0) << " of b";
  if (!agree(dim(a, 0), dim(c, 0)) || !agree(dim(b, 1), dim(c, 1)))
    return emitOpError("result ")
           << c << " is not M x N of a " << a << " and b " << b;
  for (auto [t, name] : {std::pair{a, "a"}, std::pair{b, "b"}})
    for (int i = 0; i < 2; ++i)
      if (!ShapedType::isDynamic(dim(t, i)) &&
          (dim(t, i) < 16 || (dim(t, i) & (dim(t, i) - 1))))
        return emitOpError("dimension ")
               << i << " of " << name << " is " << dim(t, i)
               << "; tensor-core tiles need powers of two of at least 16";
  return success();
}

LogicalResult ReduceOp::verify() {
  auto src = getSrc().getType(), dst = getType();
  if (src.getRank() != 2)
    return emitOpError("reduces a 2-D tile; got rank ") << src.getRank();
  int64_t axis = getAxisAttr().getInt(); // signed: the getter is unsigned
  if (axis < 0 || axis > 1)
    return emitOpError("axis ") << axis << " is out of range for a 2-D tile";
  if (dst.getRank() != 1 ||
      !shapesCompatible({src.getDimSize(1 - axis)}, dst.getShape()))
    return emitOpError("result ")
           << dst << " must be " << src << " without axis " << axis;
  if (src.getElementType() != dst.getElementType())
    return emitOpError("changes the element type");
  return success();
}

#define GET_OP_CLASSES
#include "tessel/Dialect/Tessel/IR/TesselOps.cpp.inc"
