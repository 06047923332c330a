"""Split a "Question: ... Solution: ..." reply into a question and a solution.

Models add markdown (`**Question:**`), say "Problem" instead of "Question", or number things;
any of those still splits. A reply without both parts is rejected with a reason.

Decoded under `PROBLEM_SCHEMA` instead, the reply is a JSON object with the question, the
worked solution and the final answer as its own short field, so no reply can lack one; the
solution then ends with that answer in `\\boxed{}` unless it already boxes one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUESTION = re.compile(r"^[\s>#*_]*(?:new\s+)?(?:question|problem)\s*\d*[\s*_]*[:.\-][*_\s]*",
                       re.IGNORECASE | re.MULTILINE)
_SOLUTION = re.compile(r"^[\s>#*_]*(?:solution|answer|step-by-step solution)[\s*_]*[:.\-][*_\s]*",
                       re.IGNORECASE | re.MULTILINE)


# Length limits become nested grammar rules, one level per character: llama.cpp crashed
# (SIGSEGV) on a 1,500-character limit, so only the short final answer has one.
MAX_FINAL_ANSWER_CHARS = 64
PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string", "minLength": 10},
                   "solution": {"type": "string", "minLength": 1},
                   "final_answer": {"type": "string", "minLength": 1,
                                    "maxLength": MAX_FINAL_ANSWER_CHARS}},
    "required": ["question", "solution", "final_answer"],
    "additionalProperties": False,
}


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


def problem_reply_from_object(data: dict[str, str]) -> ProblemReply:
    """The question and the boxed solution of a reply validated under PROBLEM_SCHEMA."""
    question, solution = data["question"].strip(), data["solution"].strip()
    answer = data["final_answer"].strip().strip("$").strip()
    if not question or not answer:
        return ProblemReply(question or None, solution or None,
                            "no_question" if not question else "no_final_answer")
    if "\\boxed" not in solution:
        solution = f"{solution}\n\nThe final answer is $\\boxed{{{answer}}}$."
    return ProblemReply(question, solution)
