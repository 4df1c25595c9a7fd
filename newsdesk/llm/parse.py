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
# A reasoning model's thinking, which some servers pass on in the answer; an unclosed one
# (cut off by max_tokens) runs to the end.
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)


class AnswerError(LlmError):
    """The model answered, but not with a usable JSON brief."""


_CLOSER = {"{": "}", "[": "]"}


def outermost_object(text: str) -> str | None:
    """The first balanced {...} of `text` (brackets inside strings ignored). An answer cut
    off by max_tokens is closed after its last complete element, so the sentences the
    model finished are not lost; None when not even one element was finished."""
    start = text.find("{")
    if start < 0:
        return None
    stack: list[str] = []
    # (end, depth) of the last closed element: the stack below that depth is unchanged
    # since (any pop under it closes a later element), so no copy of it is kept: copying
    # made 100,000 nested brackets take 7 s.
    last_complete: tuple[int, int] | None = None
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
        elif ch in "{[":
            stack.append(ch)
        elif ch in "}]":
            if not stack or _CLOSER[stack[-1]] != ch:
                return None
            stack.pop()
            if not stack:
                return text[start:i + 1]
            last_complete = (i + 1, len(stack))
    if last_complete is None:
        return None
    end, depth = last_complete
    return text[start:end] + "".join(_CLOSER[c] for c in reversed(stack[:depth]))


def parse_answer(text: str) -> LlmAnswer:
    """The answer as an LlmAnswer; AnswerError with a one-line reason otherwise."""
    text = _THINKING.sub("", text)  # its braces are drafts, not the answer
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
    except RecursionError:  # json.loads recurses per bracket
        raise AnswerError("invalid JSON: nested too deeply") from None
    try:
        return LlmAnswer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the object"
        raise AnswerError(f"JSON does not match the brief shape: {where}: {first['msg']} "
                          f"({exc.error_count()} problem(s))") from None
