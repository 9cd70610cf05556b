"""The summary's sentences in words, never in code: a model's sample (its ``where`` query)
described from the codebook, model checks and their status named from labels.yaml, and
labels set into English running text.

A model's ``where`` is a pandas query (config/models.yaml). The forms a researcher writes
there are described in words: comparisons of a codebook variable with a level (``==``,
``!=``), with a list of levels (``in``, ``not in``) or with a number (``<``, ``<=``, ``>``,
``>=``), joined by ``and``. Anything else is described as a subset of the cases defined in
the model specification, never printed as the query.
"""

from __future__ import annotations

import ast

from teichaku.codebook import Codebook

#: Each comparison as a phrase: language -> operator -> phrase ({var}, {value}).
_PHRASES = {
    "ja": {
        "==": "{var}が{value}の事例",
        "!=": "{var}が{value}の事例を除く",
        "in": "{var}が{value}のいずれかの事例",
        "not in": "{var}が{value}の事例を除く",
        ">=": "{var}が{value}以上の事例",
        ">": "{var}が{value}を超える事例",
        "<=": "{var}が{value}以下の事例",
        "<": "{var}が{value}未満の事例",
    },
    "en": {
        "==": "cases whose {var} is {value}",
        "!=": "excluding cases whose {var} is {value}",
        "in": "cases whose {var} is {value}",
        "not in": "excluding cases whose {var} is {value}",
        ">=": "cases whose {var} is at least {value}",
        ">": "cases whose {var} is above {value}",
        "<=": "cases whose {var} is at most {value}",
        "<": "cases whose {var} is below {value}",
    },
}
_OPERATORS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.GtE: ">=",
    ast.Gt: ">",
    ast.LtE: "<=",
    ast.Lt: "<",
}
#: A sample the phrases above cannot describe.
_OTHER = {
    "ja": "モデルの定義で限定した一部の事例",
    "en": "a subset of the cases defined in the model's specification",
}


def in_sentence(label: str, language: str) -> str:
    """A label as a word inside an English sentence: its capital dropped unless it is an
    acronym or a name ("Center" -> "center", "GEE ..." and "IQ ..." stay); Japanese as is."""
    if language != "en" or len(label) < 2 or not label[0].isupper() or not label[1].islower():
        return label
    return label[0].lower() + label[1:]


def quoted(label: str, language: str) -> str:
    """A category's label quoted: 「…」 in Japanese, "…" in English (straight quotes: the
    documents' Japanese font draws curly ones full width)."""
    return f"「{label}」" if language == "ja" else f'"{label}"'


def join_words(items: list[str], language: str, last: str = "and") -> str:
    """A list in running text: 「A」・「B」 in Japanese; "A, B and C" (or "or") in English."""
    if language == "ja":
        return "・".join(items)
    if len(items) <= 2:
        return f" {last} ".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


class _Unsupported(ValueError):
    pass


def _clauses(node: ast.AST) -> list[ast.Compare]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [c for value in node.values for c in _clauses(value)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
        return _clauses(node.left) + _clauses(node.right)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return [node]
    raise _Unsupported(ast.dump(node))


def _constant(node: ast.AST):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_constant(node.operand)
    raise _Unsupported(ast.dump(node))


def _clause(compare: ast.Compare, codebook: Codebook, table: str, language: str) -> str:
    if not isinstance(compare.left, ast.Name) or type(compare.ops[0]) not in _OPERATORS:
        raise _Unsupported(ast.dump(compare))
    op = _OPERATORS[type(compare.ops[0])]
    try:
        variable = codebook.variable(table, compare.left.id)
    except KeyError:
        raise _Unsupported(compare.left.id) from None
    right = compare.comparators[0]
    if op in ("in", "not in"):
        if not isinstance(right, ast.List | ast.Tuple):
            raise _Unsupported(ast.dump(right))
        values = [_constant(v) for v in right.elts]
    else:
        values = [_constant(right)]
    if op in ("==", "!=", "in", "not in"):
        codes = {str(level.code) for level in variable.levels}
        if not codes or not {str(v) for v in values} <= codes:
            raise _Unsupported(f"{values} not levels of {variable.name}")
        words = [quoted(variable.level_label(str(v), language), language) for v in values]
        value = join_words(words, language, "or")
    else:
        if not all(isinstance(v, int | float) for v in values):
            raise _Unsupported(f"{values} not a number")
        # the unit a Japanese answer is written in (歳, 回), as the codebook lists it first
        unit = variable.units[0] if language == "ja" and variable.units else ""
        value = f"{values[0]:g}{unit}"
    var = variable.label(language)
    return _PHRASES[language][op].format(var=in_sentence(var, language), value=value)


def describe_subset(where: str, codebook: Codebook, language: str, table: str = "cases") -> str:
    """A model's sample (its ``where`` query) in words of the codebook, e.g.
    ``end_reason != 'death'`` -> 終了理由が「死亡」の事例を除く / excluding cases whose reason
    for ending is "Death"."""
    try:
        tree = ast.parse(where.strip(), mode="eval").body
        parts = [_clause(c, codebook, table, language) for c in _clauses(tree)]
    except (SyntaxError, _Unsupported):
        return _OTHER[language]
    return ("、" if language == "ja" else "; ").join(parts)
