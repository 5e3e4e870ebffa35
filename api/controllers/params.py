"""What the routes share: the If-Match and Idempotency-Key headers, the log position a command
answers with, and ``min_position`` (read your writes, a dependency of the routes that take it)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from litestar.params import Parameter

from api.errors import ApiProblem
from api.services import WaitForView

POSITION_HEADER = "X-Otklik-Position"
# Read your writes: a command's response carries X-Otklik-Position; a query given
# ?min_position=N waits (at most READ_WAIT_SECONDS) until the view has applied N, else 503.
READ_WAIT_SECONDS = 4.0  # under the request deadline (OTKLIK_REQUEST_DEADLINE, 4.5 s)
BAD_CURSOR = "`cursor` is not one this API returned: give the previous page's `next_cursor`"
MinPosition = Annotated[
    int | None,
    Parameter(
        query="min_position",
        required=False,
        ge=1,
        description="Answer only once the view has applied this log position (read your writes);"
        f" waits up to {READ_WAIT_SECONDS:g} s, then 503 projection-behind; 503 projection-failed"
        " at once when the view has failed short of it.",
    ),
]
IfMatch = Annotated[str | None, Parameter(header="If-Match", required=False)]
IdempotencyKey = Annotated[
    str | None,
    Parameter(
        header="Idempotency-Key",
        required=False,
        # printable ASCII, no spaces: what a client generates (a UUID), never text
        pattern=r"^[\x21-\x7e]{1,200}$",
        description="A key of the client's own (a UUID): a retry with it appends nothing again.",
    ),
]


@dataclass(frozen=True)
class ReadYourWrites:
    """Wait until a view has applied ``min_position``; a position the log has not reached is a
    client's mistake (it would wait in vain, again and again), so it is refused at once."""

    log_head: Callable[[], int]  # the log's last position
    wait_for_view: WaitForView

    def __call__(self, view: str, min_position: int | None) -> None:
        if min_position is None:
            return
        if min_position > self.log_head():
            raise ApiProblem(
                400,
                "invalid-min-position",
                "Bad min_position",
                "`min_position` is beyond the head of the log: give a position that a command's "
                f"{POSITION_HEADER} header returned",
            )
        self.wait_for_view(view, min_position, READ_WAIT_SECONDS)
