"""The `flick-ops` command line: a thin click layer over the job modules."""

from __future__ import annotations

import sys
import traceback

import click

from flick_ops import __version__
from flick_ops.commands.compile import compile as compile_command
from flick_ops.commands.docs import docs
from flick_ops.commands.generate import generate
from flick_ops.commands.ingest import ingest
from flick_ops.commands.intake import intake
from flick_ops.commands.parity import parity
from flick_ops.commands.postmortem import postmortem
from flick_ops.commands.publish import publish
from flick_ops.commands.report import report
from flick_ops.commands.run import run
from flick_ops.commands.share import share
from flick_ops.errors import EXIT_FAILED, describe_expected


class _OneLineErrors(click.Group):
    """Report usage errors on one line (`flick-ops: error: ...`) with exit code 2, expected failures in one or two
    lines with their exit code (the traceback only with --verbose), and always leave through sys.exit, so that
    `python -m flick_ops.cli` exits as the console script does."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        arguments = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(args=arguments, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(0)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "flick-ops"
            click.echo(f"{command}: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"flick-ops: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("flick-ops: aborted", err=True)
            sys.exit(130)
        except Exception as exc:
            message = describe_expected(exc)
            if message is None:
                raise
            if _VERBOSE_FLAG in arguments:
                traceback.print_exception(exc)
            click.echo(f"flick-ops: error: {message}", err=True)
            sys.exit(getattr(exc, "exit_code", EXIT_FAILED))
        sys.exit(result if isinstance(result, int) else 0)


_VERBOSE_FLAG = "--verbose"


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flick-ops")
@click.option(
    _VERBOSE_FLAG, is_flag=True, help="On an expected failure, show the traceback too, not only its one or two lines."
)
def main(verbose: bool) -> None:
    """Operate Flick's analytics warehouse.

    The dbt project holds the Bronze, Silver and Gold logic; these commands
    make the lake it reads and move its results to where consumers need them.
    """


main.add_command(generate)
main.add_command(publish)
main.add_command(share)
main.add_command(run)
main.add_command(postmortem)
main.add_command(report)
main.add_command(compile_command)
main.add_command(parity)
main.add_command(ingest)
main.add_command(intake)
main.add_command(docs)

if __name__ == "__main__":
    sys.exit(main())
