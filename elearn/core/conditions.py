"""The course condition language: parsed once at import into a JSON AST, evaluated without eval().

Grammar (docs/course-format.md):
    expr   := and_ ("or" and_)*
    and_   := unary ("and" unary)*
    unary  := "not" unary | "(" expr ")" | name [OP value]
The JavaScript runtime in exported packages evaluates the same AST.
"""

from __future__ import annotations

import re
from typing import Any

Ast = dict[str, Any]
OPS = ("==", "!=", "<=", ">=", "<", ">")
_TOKEN = re.compile(r"\s*(?:(==|!=|<=|>=|<|>)|(\()|(\))|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\S))")
KEYWORDS = {"and", "or", "not", "true", "false"}
MAX_LENGTH = 500
MAX_DEPTH = 32


class ConditionError(ValueError):
    """A condition that does not parse; the message says what was expected."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:  # only trailing whitespace left
            break
        op, lp, rp, num, word, bad = m.groups()
        if bad:
            raise ConditionError(f"unexpected character {bad!r} at position {m.start(6) + 1}")
        if op:
            out.append(("op", op))
        elif lp:
            out.append(("(", lp))
        elif rp:
            out.append((")", rp))
        elif num is not None:
            out.append(("int", num))
        else:
            out.append(("word", word))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ConditionError("the condition ends too early")
        self.i += 1
        return tok

    def expr(self) -> Ast:
        parts = [self.and_()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else {"or": parts}

    def and_(self) -> Ast:
        parts = [self.unary()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else {"and": parts}

    def unary(self) -> Ast:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"the condition nests deeper than {MAX_DEPTH} levels")
        try:
            return self._unary()
        finally:
            self.depth -= 1

    def _unary(self) -> Ast:
        kind, val = self.take()
        if (kind, val) == ("word", "not"):
            return {"not": self.unary()}
        if kind == "(":
            inner = self.expr()
            if self.take()[0] != ")":
                raise ConditionError("a '(' is not closed")
            return inner
        if kind != "word" or val in KEYWORDS:
            raise ConditionError(f"expected a variable name, found {val!r}")
        nxt = self.peek()
        if nxt and nxt[0] == "op":
            op = self.take()[1]
            vkind, vval = self.take()
            if vkind == "int":
                value: int | bool = int(vval)
            elif (vkind, vval) in (("word", "true"), ("word", "false")):
                value = vval == "true"
            else:
                raise ConditionError(
                    f"expected a number, true or false after {op!r}, found {vval!r}"
                )
            return {"cmp": op, "var": val, "value": value}
        return {"var": val}


def parse(text: str) -> Ast:
    """Parse a condition; raises ConditionError with a readable message."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("the condition is empty")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"the condition is longer than {MAX_LENGTH} characters")
    p = _Parser(text)
    ast = p.expr()
    if p.peek() is not None:
        raise ConditionError(f"unexpected {p.peek()[1]!r} after a complete condition")  # type: ignore[index]
    return ast


def variables(ast: Ast) -> set[str]:
    """Names a condition reads."""
    if "var" in ast:
        return {ast["var"]}
    if "not" in ast:
        return variables(ast["not"])
    return set().union(*(variables(a) for a in ast.get("and", ast.get("or", []))))


def evaluate(ast: Ast | None, env: dict[str, int | bool]) -> bool:
    """True when the condition holds for these variable values; None means 'always'."""
    if ast is None:
        return True
    if "cmp" in ast:
        left, right, op = env[ast["var"]], ast["value"], ast["cmp"]
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right
    if "var" in ast:
        return bool(env[ast["var"]])
    if "not" in ast:
        return not evaluate(ast["not"], env)
    if "and" in ast:
        return all(evaluate(a, env) for a in ast["and"])
    return any(evaluate(a, env) for a in ast["or"])


def to_text(ast: Ast) -> str:
    """A parsed condition written back in the course language (for maps and messages: the
    compiled form keeps only the AST). Brackets only where `or` sits inside `and` or `not`."""
    if "cmp" in ast:
        value = ast["value"]
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f"{ast['var']} {ast['cmp']} {shown}"
    if "var" in ast:
        return ast["var"]
    if "not" in ast:
        inner = ast["not"]
        text = to_text(inner)
        return f"not ({text})" if "and" in inner or "or" in inner else f"not {text}"
    if "and" in ast:
        return " and ".join(f"({to_text(a)})" if "or" in a else to_text(a) for a in ast["and"])
    return " or ".join(to_text(a) for a in ast["or"])
