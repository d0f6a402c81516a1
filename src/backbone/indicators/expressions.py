"""The SQL expressions indicator definitions are written in, checked before anything runs.

A definition's denominator, numerator, cohort and value are each **one** SQL expression over the
canonical analytic tables, written in DuckDB's dialect. Partners' staff type them into a form, so
they are parsed with sqlglot and walked against allow-lists rather than trusted:

- one expression only: no ``;``, no statements (``DROP``, ``INSERT``, ``SELECT`` …), no comments
  (a comment could hide text from a reviewer reading the definition);
- no subqueries, ``EXISTS``, set operations, window functions, aggregates or parameters;
- every column must belong to a table the definition declares (``assessment.grade`` or plain
  ``grade`` when only one declared table has it), and every table must be an analytic table of
  ``backbone.warehouse.tables``;
- only the functions in ``ALLOWED_FUNCTIONS``, chosen because sqlglot writes each of them so that
  DuckDB and Spark compute the same value.

Every refusal is a ``Problem`` carrying the line, column and text of the offending token, so a web
form can point at it:

>>> check_expression("wages.wagez > 0", ["wages"])  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ExpressionError: unknown column 'wagez' in table wages (line 1, col 7, near 'wagez')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from backbone.warehouse.store import stored_columns
from backbone.warehouse.tables import ANALYTIC, TABLES

Dialect = Literal["duckdb", "spark"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "spark")
Kind = Literal["condition", "value"]
# The tables an expression may read: names, or aliases mapped to tables (one table read twice).
Tables = Sequence[str] | Mapping[str, str]

# Functions whose DuckDB and Spark spellings sqlglot translates to the same computation.
ALLOWED_FUNCTIONS: tuple[type[exp.Func], ...] = (
    exp.Abs,
    exp.Case,
    exp.Cast,
    exp.Ceil,
    exp.Coalesce,
    exp.DateDiff,
    exp.Day,
    exp.Floor,
    exp.Greatest,
    exp.If,
    exp.Least,
    exp.Length,
    exp.Lower,
    exp.Month,
    exp.Nullif,
    exp.Quarter,
    exp.Round,
    exp.Trim,
    exp.Upper,
    exp.Year,
)

# Operators and leaves an expression may be built from; anything else is refused.
ALLOWED_NODES: tuple[type[exp.Expr], ...] = (
    exp.Add,
    exp.And,
    exp.Between,
    exp.Boolean,
    exp.Column,
    exp.DataType,
    exp.Div,
    exp.DPipe,
    exp.EQ,
    exp.GT,
    exp.GTE,
    exp.Identifier,
    exp.If,
    exp.ILike,
    exp.In,
    exp.Interval,
    exp.Is,
    exp.Like,
    exp.Literal,
    exp.LT,
    exp.LTE,
    exp.Mod,
    exp.Mul,
    exp.Neg,
    exp.NEQ,
    exp.Not,
    exp.Null,
    exp.NullSafeEQ,
    exp.NullSafeNEQ,
    exp.Or,
    exp.Paren,
    exp.Sub,
    exp.Var,
)

# Root nodes that can be true or false; a value expression may be anything allowed.
CONDITION_ROOTS: tuple[type[exp.Expr], ...] = (
    exp.Predicate,
    exp.Connector,
    exp.Not,
    exp.Boolean,
    exp.Case,
    exp.If,
    exp.Coalesce,
)

# Where to point for refused nodes that carry no position of their own.
NODE_TOKENS: dict[type[exp.Expr], tuple[TokenType, ...]] = {
    exp.Subquery: (TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN),
    exp.Select: (TokenType.SELECT,),
    exp.Exists: (TokenType.EXISTS,),
    exp.Union: (TokenType.UNION,),
    exp.Intersect: (TokenType.INTERSECT,),
    exp.Except: (TokenType.EXCEPT,),
    exp.Window: (TokenType.OVER,),
    exp.Placeholder: (TokenType.PARAMETER, TokenType.PLACEHOLDER),
}


@dataclass(frozen=True)
class Problem:
    """One reason an expression (or a definition) is refused, and where it is.

    ``line`` and ``col`` are 1-based and point at the first character of ``token``; ``field``
    names the part of a definition the text came from (``numerator``, ``dimensions[0]`` …).
    """

    message: str
    line: int | None = None
    col: int | None = None
    token: str | None = None
    field: str = ""

    def __str__(self) -> str:
        where = ""
        if self.line is not None:
            near = f", near {self.token!r}" if self.token else ""
            where = f" (line {self.line}, col {self.col}{near})"
        prefix = f"{self.field}: " if self.field else ""
        return f"{prefix}{self.message}{where}"


class ExpressionError(ValueError):
    """An expression or definition was refused; ``problems`` lists every reason found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def first(self) -> Problem:
        return self.problems[0]


@dataclass(frozen=True)
class CheckedExpression:
    """An expression that passed every check, with each column qualified by its table."""

    text: str
    tree: exp.Expr
    tables: tuple[str, ...]  # the declared tables it was checked against

    def sql(self, dialect: Dialect = "duckdb") -> str:
        return self.tree.sql(dialect=dialect)

    @property
    def columns(self) -> set[tuple[str, str]]:
        """The ``(table, column)`` pairs the expression reads."""
        return {(c.table, c.name) for c in self.tree.find_all(exp.Column)}


def analytic_columns(table_name: str) -> dict[str, str]:
    """The columns an expression may read from ``table_name``, as stored, with DuckDB types."""
    return dict(stored_columns(TABLES[table_name]))


def analytic_tables() -> tuple[str, ...]:
    return tuple(name for name, t in TABLES.items() if t.tier == ANALYTIC)


def table_problem(name: str) -> str | None:
    """Why ``name`` cannot be read by an indicator, or None when it can."""
    if name not in TABLES:
        return f"unknown table {name!r}; known: {', '.join(analytic_tables())}"
    if TABLES[name].tier != ANALYTIC:
        return f"table {name!r} is in the identity tier; indicators read analytic tables only"
    return None


def check_expression(
    text: str,
    tables: Tables,
    *,
    kind: Kind = "condition",
    field: str = "",
    require_unique: bool = True,
) -> CheckedExpression:
    """Parse ``text`` as one DuckDB expression over ``tables`` and check it; raise if refused.

    Args:
        text: the expression as typed, e.g. ``"assessment.grade = '3' AND subject = 'ELA'"``.
        tables: the canonical tables the definition declares; columns resolve against these.
            A mapping names each source by an alias (``{"wages_q2": "wages"}``), so one table
            can be read twice.
        kind: ``"condition"`` (must be true/false) or ``"value"`` (e.g. wages for a median).
        field: where the text came from, prefixed to every problem's message.
        require_unique: refuse an unqualified column found in several declared tables.

    Returns the expression with every column qualified by its table. Raises ``ExpressionError``
    listing every problem, each with its line, column and token.
    """
    sources = as_sources(tables)
    bad_tables = [Problem(m, field=field) for t in sources.values() if (m := table_problem(t))]
    if bad_tables:
        raise ExpressionError(bad_tables)
    tree = _parse(text, field)
    tokens = _tokens(text, field)
    problems = _statement_problems(tree, text, tokens) or _node_problems(tree, text, tokens)
    if not problems:
        problems = _qualify_columns(tree, text, sources, require_unique)
    if not problems and kind == "condition":
        problems = _condition_problems(tree, text, sources, tokens)
    if problems:
        raise ExpressionError(_with_field(problems, field))
    return CheckedExpression(text, tree, tuple(sources))


def as_sources(tables: Tables) -> dict[str, str]:
    """Each name an expression may qualify a column with, and the table it reads."""
    return dict(tables) if isinstance(tables, Mapping) else {t: t for t in tables}


def transpile(
    expression: str | CheckedExpression,
    dialect: Dialect,
    tables: Sequence[str] | None = None,
) -> str:
    """``expression`` in ``dialect`` (``"duckdb"`` or ``"spark"``), checked first.

    A string is checked against ``tables`` (all analytic tables when None, where an unqualified
    column may then belong to several).

    >>> transpile("coalesce(wages.wages, 0) >= 1000", "spark", ["wages"])
    'COALESCE(wages.wages, 0) >= 1000'
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    if isinstance(expression, str):
        declared = analytic_tables() if tables is None else tables
        expression = check_expression(expression, declared, require_unique=tables is not None)
    return expression.sql(dialect)


# --- parsing ------------------------------------------------------------------------------------


def _tokens(text: str, field: str) -> list[Token]:
    try:
        return list(sqlglot.Dialect.get_or_raise("duckdb").tokenize(text))
    except TokenError:
        message = "cannot read the expression: is a quote or bracket left open?"
        raise ExpressionError([Problem(message, field=field)]) from None


def _parse(text: str, field: str) -> exp.Expr:
    """The single expression in ``text``; statements separators and comments are refused here."""
    if not text.strip():
        raise ExpressionError([Problem("the expression is empty", field=field)])
    tokens = _tokens(text, field)
    early = [p for token in tokens if (p := _token_problem(token, text))]
    if early:
        raise ExpressionError(_with_field(early, field))
    try:
        trees = sqlglot.parse(text, read="duckdb")
    except ParseError as error:
        raise ExpressionError([_parse_problem(error, field)]) from None
    if len(trees) != 1 or trees[0] is None:
        raise ExpressionError([Problem("expected exactly one expression", field=field)])
    return trees[0]


def _token_problem(token: Token, text: str) -> Problem | None:
    if token.token_type == TokenType.SEMICOLON:
        message = "';' is not allowed: a definition is one expression, not SQL statements"
        return _at(message, text, token.start, token.end)
    if token.comments:
        return _at("comments are not allowed in an expression", text, token.start, token.end)
    return None


def _parse_problem(error: ParseError, field: str) -> Problem:
    detail = error.errors[0] if error.errors else {}
    description = str(detail.get("description") or error).split(". Line")[0]
    if description.startswith("Required keyword"):
        description = "the expression is incomplete"
    token = detail.get("highlight") or None
    line, col = detail.get("line"), detail.get("col")
    # sqlglot reports the column of the token's last character; point at its first instead.
    if isinstance(col, int) and token:
        col = max(1, col - len(token) + 1)
    return Problem(f"cannot parse the expression: {description}", line, col, token, field)


# --- the allow-lists ----------------------------------------------------------------------------


def _statement_problems(tree: exp.Expr, text: str, tokens: list[Token]) -> list[Problem]:
    if isinstance(tree, (exp.Condition, exp.Star, exp.Subquery)):
        return []
    # DROP, INSERT, SELECT, UNION …: point at the keyword that makes it a statement.
    token = _keyword_token(tree, tokens) or tokens[0]
    message = f"{tree.key.upper()} statements are not allowed: write one expression"
    return [_at(message, text, token.start, token.end)]


def _condition_problems(
    tree: exp.Expr, text: str, sources: Mapping[str, str], tokens: list[Token]
) -> list[Problem]:
    root = tree.unnest()
    if _is_condition(root, sources):
        return []
    return [_locate("expected a true/false condition", root, text, tokens)]


def _is_condition(root: exp.Expr, sources: Mapping[str, str]) -> bool:
    if isinstance(root, CONDITION_ROOTS):
        return True
    if isinstance(root, exp.Column):  # a BOOLEAN column such as assessment.proficient
        owners = [t for name, t in sources.items() if not root.table or name == root.table]
        return {analytic_columns(t).get(root.name) for t in owners} == {"BOOLEAN"}
    return False


def _node_problems(node: exp.Expr, text: str, tokens: list[Token]) -> list[Problem]:
    """Every refused node under ``node``; a refused node's children are not searched."""
    problem = _refusal(node)
    if problem:
        return [_locate(problem, node, text, tokens)]
    if node.comments:
        return [_locate("comments are not allowed in an expression", node, text, tokens)]
    return [p for child in _children(node) for p in _node_problems(child, text, tokens)]


def _children(node: exp.Expr) -> Iterator[exp.Expr]:
    for value in node.args.values():
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, exp.Expr):
                yield child


def _refusal(node: exp.Expr) -> str | None:
    """Why ``node`` may not appear in an expression, or None when it may."""
    if isinstance(node, ALLOWED_NODES):  # checked first: AND, OR and IF are functions to sqlglot
        return None
    if isinstance(node, (exp.Subquery, exp.Query, exp.Exists)):
        return "subqueries are not allowed"
    if isinstance(node, exp.Window):
        return "window functions are not allowed"
    if isinstance(node, exp.AggFunc):
        return f"aggregate function {_function_name(node)} is not allowed: the engine aggregates"
    if isinstance(node, exp.Func):
        if isinstance(node, ALLOWED_FUNCTIONS):
            return None
        allowed = ", ".join(sorted(f.sql_names()[0].lower() for f in ALLOWED_FUNCTIONS))
        return f"function {_function_name(node)} is not allowed; allowed: {allowed}"
    if isinstance(node, exp.Placeholder):
        return "parameters are not allowed"
    if isinstance(node, exp.Star):
        return "'*' is not allowed: name the columns"
    if isinstance(node, (exp.Query, exp.DDL, exp.DML, exp.Command)):
        return "statements are not allowed"
    return f"{node.key.upper()} is not allowed in an indicator expression"


def _function_name(node: exp.Func) -> str:
    name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
    return f"'{name.lower()}'"


# --- columns ------------------------------------------------------------------------------------


def _qualify_columns(
    tree: exp.Expr, text: str, sources: Mapping[str, str], require_unique: bool
) -> list[Problem]:
    """Check each column against ``sources`` and set its table (or alias); return what could
    not resolve."""
    problems = []
    for column in list(tree.find_all(exp.Column)):
        problem = _column_problem(column, sources, require_unique)
        if problem:
            problems.append(_locate(problem, column, text))
    return problems


def _column_problem(
    column: exp.Column, sources: Mapping[str, str], require_unique: bool
) -> str | None:
    name, qualifier = column.name, column.table
    if column.args.get("db") or column.args.get("catalog"):
        return f"{column.sql()!r}: write table.column, nothing longer"
    if qualifier:
        if qualifier not in sources:
            return f"table {qualifier!r} is not declared by the definition: {', '.join(sources)}"
        if name not in analytic_columns(sources[qualifier]):
            return f"unknown column {name!r} in table {_described(qualifier, sources)}"
        return None
    owners = [alias for alias, t in sources.items() if name in analytic_columns(t)]
    if not owners:
        names = ", ".join(_described(alias, sources) for alias in sources)
        return f"unknown column {name!r} in table{'s' * (len(sources) > 1)} {names}"
    if len(owners) > 1 and require_unique:
        return f"column {name!r} is in several tables ({', '.join(owners)}): write table.{name}"
    if len(owners) == 1:
        column.set("table", exp.to_identifier(owners[0]))
    return None


def _described(alias: str, sources: Mapping[str, str]) -> str:
    return alias if sources[alias] == alias else f"{alias} ({sources[alias]})"


# --- positions ----------------------------------------------------------------------------------


def _locate(message: str, node: exp.Expr, text: str, tokens: list[Token] | None = None) -> Problem:
    """A problem pointing at ``node``: its own position, a keyword token, or a child's."""
    if isinstance(node, exp.Column):
        node = node.this  # point at the column's name rather than its table
    if "start" in node.meta:
        return _at(message, text, node.meta["start"], node.meta["end"])
    token = _keyword_token(node, tokens or [])
    if token is not None:
        return _at(message, text, token.start, token.end)
    placed = [child.meta for child in node.walk() if "start" in child.meta]
    if placed:
        first = min(placed, key=lambda meta: int(meta["start"]))
        return _at(message, text, first["start"], first["end"])
    return Problem(message)


def _keyword_token(node: exp.Expr, tokens: list[Token]) -> Token | None:
    wanted = next((t for kind, t in NODE_TOKENS.items() if isinstance(node, kind)), ())
    return next((t for t in tokens if t.token_type in wanted), None)


def _at(message: str, text: str, start: int, end: int) -> Problem:
    line = text.count("\n", 0, start) + 1
    col = start - text.rfind("\n", 0, start)
    return Problem(message, line, col, text[start : end + 1])


def _with_field(problems: list[Problem], field: str) -> list[Problem]:
    return [Problem(p.message, p.line, p.col, p.token, p.field or field) for p in problems]
