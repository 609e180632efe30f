"""A calculator over a safe arithmetic subset: parsed with `ast`, walked by hand, never eval'd.

Allowed: int and float literals, + - * / // % **, unary + and -, parentheses, and the
names pi, e and tau. Everything else (names, attribute access, calls, subscripts, strings,
comparisons, bit operations) is rejected. Sizes are bounded so no expression can exhaust
memory or time: the input length, the number of nodes, and the size of every integer
(checked before a power or product is computed).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

MAX_EXPRESSION = 500  # characters
MAX_NODES = 200
MAX_INT_BITS = 4096  # about 1,233 decimal digits
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}

Number = int | float
BINARY: dict[type[ast.operator], Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
UNARY: dict[type[ast.unaryop], Callable[[Number], Number]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


class CalcError(ValueError):
    """An expression outside the safe subset, or one whose result would be too large."""


def evaluate(expression: str) -> Number:
    """The value of an arithmetic expression, or CalcError saying what is not allowed."""
    if len(expression) > MAX_EXPRESSION:
        raise CalcError(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise CalcError(f"not an arithmetic expression: {expression!r}") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise CalcError(f"the expression has more than {MAX_NODES} parts")
    try:
        return _value(tree.body)
    except ZeroDivisionError:
        raise CalcError("division by zero") from None
    except OverflowError:
        raise CalcError("the result is too large") from None


def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression exactly as written and return the result.

    Args:
        expression: Numbers with + - * / // % ** and parentheses; the names pi, e and
            tau are known. Example: (2 + 3) * 4 ** 2 / 7
    """
    value = evaluate(expression)
    return str(value) if isinstance(value, int) else format(value, ".15g")


def _value(node: ast.expr) -> Number:
    match node:
        case ast.Constant(value=int() | float() as value) if not isinstance(value, bool):
            return _bounded(value)
        case ast.Name(id=name) if name in CONSTANTS:
            return CONSTANTS[name]
        case ast.BinOp(left=left, op=op, right=right) if type(op) in BINARY:
            return _binary(op, _value(left), _value(right))
        case ast.UnaryOp(op=op, operand=operand) if type(op) in UNARY:
            return UNARY[type(op)](_value(operand))
    raise CalcError(_refusal(node))


def _binary(op: ast.operator, left: Number, right: Number) -> Number:
    if isinstance(op, ast.Pow):
        _check_power(left, right)
    elif isinstance(op, ast.Mult) and isinstance(left, int) and isinstance(right, int):
        _check_bits(left.bit_length() + right.bit_length())
    result = BINARY[type(op)](left, right)
    if isinstance(result, complex):
        raise CalcError("the result is not a real number")
    return _bounded(result)


def _check_power(base: Number, exponent: Number) -> None:
    """Refuse a power before computing it when its result cannot fit the bounds."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        # |base| >= 2**(bits - 1), so the result has at least (bits - 1) * exponent bits
        if base.bit_length() > 1:
            _check_bits((base.bit_length() - 1) * exponent)
    elif exponent > 10_000 and abs(float(base)) > 1:
        raise CalcError("the result is too large")


def _check_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise CalcError("the result is too large")


def _bounded(value: Number) -> Number:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalcError("the result is too large")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalcError("the result is too large (not a finite number)")
    return value


def _refusal(node: ast.expr) -> str:
    match node:
        case ast.Attribute():
            return "attribute access is not allowed"
        case ast.Call():
            return "function calls are not allowed"
        case ast.Name(id=name):
            return f"unknown name {name!r} (only pi, e and tau are known)"
        case ast.Constant(value=value):
            return f"only numbers are allowed, not {type(value).__name__} {value!r}"
        case ast.BinOp(op=op) | ast.UnaryOp(op=op):
            return f"the operator {type(op).__name__} is not allowed"
    return f"{type(node).__name__} is not allowed in an arithmetic expression"
