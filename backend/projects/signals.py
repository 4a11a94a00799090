"""Events of projects that higher apps act on (connected in their AppConfig.ready())."""

from django.dispatch import Signal

# A project moved to another stage. Sent inside the transaction that saved it, with
# project, previous_stage and user. (inference proposes automatic masks on entering `semi`.)
project_stage_changed = Signal()
