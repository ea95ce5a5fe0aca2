"""The shipped stateful lifecycle machine, on the standard and an extended lifecycle."""

from __future__ import annotations

from hypothesis import settings

from orderkit.testing.lifecycle import OrderLifecycleMachine
from orderkit.testing.strategies import approval_lifecycle


class ApprovalLifecycleMachine(OrderLifecycleMachine):
    """The same checks under a B2B lifecycle with an approval step."""

    lifecycle = approval_lifecycle()


TestStandardLifecycle = OrderLifecycleMachine.TestCase
TestStandardLifecycle.settings = settings(stateful_step_count=30)

TestApprovalLifecycle = ApprovalLifecycleMachine.TestCase
TestApprovalLifecycle.settings = settings(stateful_step_count=30)
