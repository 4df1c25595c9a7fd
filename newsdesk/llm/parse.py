"""Reading a model's answer: lenient about form, strict about content.

Models wrap JSON in code fences, add a sentence before it, leave trailing commas. Those
are repaired here; what remains must validate as `LlmAnswer`, else `AnswerError` says
what is wrong (the engine sends that back to the model once). Raw model output is never
shown to a reader: it either parses into sentences that then face the verifier, or the
brief falls back to the extractive engine.
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from newsdesk.errors import LlmError
from newsdesk.models import LlmAnswer

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


class AnswerError(LlmError):
    """The model answered, but not with a usable JSON brief."""


def outermost_object(text: str) -> str | None:
    """The first balanced {...} of `text` (braces inside strings ignored), or what is left
    of it when the answer was cut off."""
    start = text.find("{")
    if start < 0:
        return None
    depth = 0
    in_string = escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    return None


def parse_answer(text: str) -> LlmAnswer:
    """The answer as an LlmAnswer; AnswerError with a one-line reason otherwise."""
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    obj = outermost_object(body) or outermost_object(text)
    if obj is None:
        raise AnswerError("no JSON object in the answer")
    try:
        data = json.loads(_TRAILING_COMMA.sub(r"\1", obj))
    except json.JSONDecodeError as exc:
        raise AnswerError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                          ) from None
    try:
        return LlmAnswer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the object"
        raise AnswerError(f"JSON does not match the brief shape: {where}: {first['msg']} "
                          f"({exc.error_count()} problem(s))") from None
