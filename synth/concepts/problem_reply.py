"""Split a "Question: ... Solution: ..." reply into a question and a solution.

Models add markdown (`**Question:**`), say "Problem" instead of "Question", or number things;
any of those still splits. A reply without both parts is rejected with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUESTION = re.compile(r"^[\s>#*_]*(?:new\s+)?(?:question|problem)\s*\d*[\s*_]*[:.\-][*_\s]*",
                       re.IGNORECASE | re.MULTILINE)
_SOLUTION = re.compile(r"^[\s>#*_]*(?:solution|answer|step-by-step solution)[\s*_]*[:.\-][*_\s]*",
                       re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ProblemReply:
    question: str | None
    solution: str | None
    reason: str | None = None  # no_question | no_solution | None when usable


def parse_problem_reply(text: str | None) -> ProblemReply:
    """The question and the solution written in `text`."""
    if not text or not text.strip():
        return ProblemReply(None, None, "no_question")
    solution_mark = _SOLUTION.search(text)
    if solution_mark is None:
        return ProblemReply(None, None, "no_solution")
    head, solution = text[: solution_mark.start()], text[solution_mark.end():].strip()
    question_mark = _QUESTION.search(head)
    question = (head[question_mark.end():] if question_mark else head).strip().strip("*").strip()
    if not question:
        return ProblemReply(None, solution or None, "no_question")
    if not solution:
        return ProblemReply(question, None, "no_solution")
    return ProblemReply(question, solution)
