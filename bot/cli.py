"""The `expo-bot` command line: chat, ask, check, eval, review, db and telegram.

Each subcommand parses its arguments, loads the FAQ once and hands over to the module that does the
work. User mistakes (a missing file, a broken FAQ) end in a one-line message and exit status 1 or 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.knowledge import FaqError, check, load
from bot.matching import shared

if TYPE_CHECKING:
    from bot.evaluation import Case
    from bot.matching.matcher import Matcher
    from bot.replies import Responder


def _responder(settings: Settings) -> Responder:
    from bot.replies import Responder

    return Responder(load(settings.faq))


def _valid_text(value: str) -> str:
    """Command-line text with any invalid bytes (kept by Python as lone surrogates) as U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the FAQ file; one line per problem."""
    problems = check(settings.faq)
    if len(problems) == 1 and problems[0].unreadable:
        print(f"expo-bot check: {problems[0]}", file=sys.stderr)
        return 1
    if problems:
        for problem in problems:
            print(problem)
        print(f"{settings.faq}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    knowledge = load(settings.faq)
    collisions = []
    if not args.no_collisions:
        from bot.collisions import find_collisions

        collisions = find_collisions(knowledge)
        for collision in collisions:
            print(f"warning: {collision}")
    summary = (
        f"{settings.faq}: OK, {len(knowledge.entries)} entries in {len(knowledge.topics)} topics"
    )
    if not args.no_collisions:
        summary += (
            f", {len(collisions)} collision(s) to look at" if collisions else ", no collisions"
        )
    print(summary)
    return 1 if collisions and args.strict else 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question, or one per line of standard input with --jsonl."""
    responder = _responder(settings)
    if args.conversation and not args.jsonl:
        print("expo-bot ask: --conversation reads lines: use it with --jsonl", file=sys.stderr)
        return 2
    if args.jsonl:
        _ask_lines(responder, conversation=args.conversation)
        return 0
    question = _valid_text(" ".join(args.question))
    if not question.strip():
        print("expo-bot ask: give a question, e.g. expo-bot ask 有多少展商", file=sys.stderr)
        return 2
    from bot.conversation import reply_in_context

    reply = reply_in_context(responder, question, None)
    if args.json:
        print(json.dumps(reply.to_json(), ensure_ascii=False, indent=2))
    else:
        from bot.console import render

        print(render(reply))
    return 0


def _ask_lines(responder: Responder, *, conversation: bool) -> None:
    """One JSON reply per stdin line; in a conversation, each line follows the one before it
    (in its voice too), and a blank line starts a new conversation and prints nothing.

    Bytes in, UTF-8 JSON out, whatever the locale: invalid input bytes become U+FFFD.
    """
    from bot.conversation import reply_in_context, turn_of
    from bot.followup import Turn
    from bot.text import Voice

    out = sys.stdout.buffer
    last: Turn | None = None
    voice: Voice | None = None
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not conversation:
            reply = reply_in_context(responder, line, None)
        elif not line.strip():
            last = voice = None
            continue
        else:
            reply = reply_in_context(responder, line, last, voice)
            last, voice = turn_of(responder, reply), reply.voice
        out.write(json.dumps(reply.to_json(), ensure_ascii=False).encode() + b"\n")
    out.flush()


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Open the interactive console."""
    from bot.console import run_console
    from bot.reload import LiveFaq

    return run_console(
        LiveFaq(settings.faq), debug=args.debug, context_seconds=settings.context_seconds
    )


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Score the bot on question files, or calibrate its thresholds on them."""
    from bot import evaluation
    from bot.matching.matcher import Matcher
    from bot.replies import Responder

    try:
        paths = [Path(p) for p in args.files]
        dialogues = [p for p in paths if evaluation.is_conversations(p)]
        conversations = [c for p in dialogues for c in evaluation.load_conversations(p)]
        cases = [c for p in paths if p not in dialogues for c in evaluation.load_cases(p)]
    except evaluation.CaseFileError as exc:
        print(f"expo-bot eval: {exc}", file=sys.stderr)
        return 2
    knowledge = load(settings.faq)
    if conversations and not args.calibrate:
        print(
            evaluation.render_conversations(
                evaluation.evaluate_conversations(Responder(knowledge), conversations)
            )
        )
        if not cases:
            return 0
        print()
    if args.calibrate:
        return _calibrate(args, settings, Matcher(knowledge), cases)
    results = evaluation.evaluate(Responder(knowledge), cases)
    if args.json:
        print(json.dumps(evaluation.to_json(results), ensure_ascii=False, indent=2))
    else:
        print(evaluation.render_text(results))
    return 0


def _calibrate(
    args: argparse.Namespace, settings: Settings, matcher: Matcher, cases: list[Case]
) -> int:
    from bot import evaluation
    from bot.matching.calibration import MissingTrainer
    from bot.matching.decision import CALIBRATION_FILE

    mode = "semantic: " + ", ".join(m.key for m in matcher.models) if matcher.models else "lexical"
    try:
        result = evaluation.calibrate(matcher, cases)
    except MissingTrainer as exc:
        print(f"expo-bot eval: {exc}", file=sys.stderr)
        return 2
    th = result.thresholds
    print(
        f"calibrated ({mode}) on {result.total} questions, out of fold: {result.correct} "
        f"answered right, {result.wrong} answered wrong"
    )
    for name, value in th.to_mapping().items():
        if name not in ("weights", "trees"):
            print(f"  {name}: {value}")
    print(f"  trees: {len(th.trees)}")
    if args.write:
        target = settings.faq.parent / CALIBRATION_FILE
        section = evaluation.write_calibration(th, target)
        print(f"written to {target} (section {section})")
    return 0


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    """List unanswered questions and disliked answers for FAQ editors."""
    from bot import review, review_apply

    if args.add:
        entry_id, question = args.add
        return review_apply.add(settings, entry_id, question, args.lang)
    if args.ignore is not None:
        return review_apply.ignore(settings, args.ignore)
    if args.undo:
        return review_apply.undo(settings)
    if args.apply:
        return review_apply.apply(settings, args.since, args.limit, include_ignored=args.all)
    return review.main(
        settings, since=args.since, limit=args.limit, as_json=args.json, include_ignored=args.all
    )


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """`db upgrade`: apply the event store's pending migrations (the bot also does at start)."""
    from bot.store import SCHEMA_VERSION, EventLog, EventLogError

    try:
        with EventLog.connect(settings.db) as log:
            applied = log.applied
    except EventLogError as exc:
        print(f"expo-bot db {args.action}: {exc}", file=sys.stderr)
        return 1
    for migration in applied:
        print(f"applied migration {migration.version}: {migration.name}")
    state = "upgraded to" if applied else "up to date at"
    print(f"event store {settings.db}: {state} schema version {SCHEMA_VERSION}")
    return 0


def cmd_telegram(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot (long polling, or a webhook with --webhook-url)."""
    from bot.telegram.runner import run

    return run(settings, webhook_url=args.webhook_url, port=args.port, secret=args.secret)


# Commands that match questions: their embedding models load while the FAQ does.
MATCHING_COMMANDS = frozenset({"chat", "ask", "check", "eval", "telegram"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="expo-bot", description="FAQ bot for an expo, answering from a curated FAQ."
    )
    parser.add_argument(
        "--faq",
        type=Path,
        help="FAQ file (default: $EXPO_BOT_FAQ, else the project's knowledge/faq.yaml)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: object, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--faq", type=Path, default=argparse.SUPPRESS, help="FAQ file")
        p.set_defaults(func=func)
        return p

    p = add("chat", cmd_chat, "interactive console chat (no token needed)")
    p.add_argument("--debug", action="store_true", help="show the top candidates and scores")

    p = add("ask", cmd_ask, "answer one question, or one per stdin line with --jsonl")
    p.add_argument("question", nargs="*", help="the question")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the reply as JSON")
    mode.add_argument(
        "--jsonl", action="store_true", help="read questions from stdin, JSON lines out"
    )
    p.add_argument(
        "--conversation",
        action="store_true",
        help="with --jsonl: each line follows the one before it; a blank line starts anew",
    )

    p = add("check", cmd_check, "validate the FAQ file")
    p.add_argument(
        "--no-collisions", action="store_true", help="skip the (slower) matcher collision report"
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when collisions are found")

    p = add("eval", cmd_eval, "score the bot on labelled question files")
    p.add_argument("files", nargs="+", help="question files (YAML with cases:)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--calibrate", action="store_true", help="grid-search the matcher thresholds")
    p.add_argument(
        "--write", action="store_true", help="with --calibrate: save them next to the FAQ"
    )

    p = add("review", cmd_review, "questions to work on, most asked first")
    p.add_argument("--since", default="7d", help="time window, e.g. 24h, 7d, 2w (default 7d)")
    p.add_argument("--limit", type=int, default=20, help="groups to show (default 20)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--all", action="store_true", help="also list the groups editors ignored")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--apply", action="store_true", help="walk the groups and edit the FAQ")
    act.add_argument(
        "--add", nargs=2, metavar=("ENTRY_ID", "QUESTION"), help="add QUESTION to an entry"
    )
    act.add_argument("--ignore", metavar="QUESTION", help="stop listing QUESTION's group")
    act.add_argument("--undo", action="store_true", help="revert the last write to the FAQ")
    p.add_argument(
        "--lang", choices=["zh", "en"], help="with --add: the language (default: detected)"
    )

    p = add("db", cmd_db, "manage the event store ($EXPO_BOT_DB)")
    p.add_argument(
        "action", choices=["upgrade"], help="upgrade: apply the pending schema migrations"
    )

    p = add("telegram", cmd_telegram, "run the Telegram bot")
    p.add_argument(
        "--webhook-url", help="serve a webhook at this public HTTPS URL instead of polling"
    )
    p.add_argument("--port", type=int, default=8443, help="webhook listening port (default 8443)")
    p.add_argument("--secret", help="webhook secret token Telegram must send back")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `expo-bot` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings.from_env(faq=args.faq)
    shared.configure(settings, preload=args.command in MATCHING_COMMANDS)
    try:
        return int(args.func(args, settings))
    except FaqError as exc:
        if exc.unreadable is not None:  # `expo-bot check` could not read it either
            print(f"expo-bot: {exc.unreadable}", file=sys.stderr)
            return 1
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"expo-bot: {settings.faq} has problems; run `expo-bot check`", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
