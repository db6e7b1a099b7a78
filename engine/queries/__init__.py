"""The read side, one module per page or list it feeds, from the indexed rows (a case's workflow is
read only for its data, never to build a list)."""
from .board import dashboard_view
from .case_list import (
    SORTS,
    STATUSES,
    CaseFilter,
    CaseListRow,
    filter_choices,
    iter_cases,
    list_case_views,
    list_cases,
    matching_ids,
    rows_of,
)
from .case_page import CaseDetail, CasePage, case_detail, case_page_view, diagram_of
from .cc_inbox import CcEntry, cc_list, cc_unread, colleagues
from .connector_log import CALL_STATUSES, ConnectorCallEntry, connector_calls
from .dashboard import Dashboard, DashboardFilter
from .decisions import DecisionChoice, DecisionOffer, decision_offer, list_decisions
from .deliveries import DELIVERY_CHANNELS, DELIVERY_STATUSES, DeliveryEntry, delivery_counts, delivery_log
from .inbox import InboxEntry, inbox, inbox_entry, unread_count
from .incidents import incidents_of, shown_to
from .migration_choices import migration_choices
from .model_versions import VersionEntry, version_diff, version_list
from .moves import CaseMoves, case_moves, urge_counts
from .operations import Heartbeat, heartbeats, outbox_depth, timer_lag
from .processes import startable_process, startable_processes
from .saved_filters import SavedFilterView, delete_filter, list_filters, save_filter
from .schedules import list_schedules
from .task_actions import TASK_ACTIONS, task_actions
from .task_approvals import ApprovalView, approvals_of
from .task_lists import MAX_PER_PAGE, TASK_SCOPES, TASK_SORTS, TaskFilter, list_tasks, task_counts
from .task_page import SendBackTarget, TaskDetail, case_data, case_events, task_detail
from .worklist import CommentView, case_comments, display_names, my_cases, recent_outcomes, worklist_stamp

__all__ = ["CaseMoves", "CcEntry", "case_moves", "cc_list", "cc_unread", "colleagues", "urge_counts",
           "MAX_PER_PAGE", "SORTS", "STATUSES", "TASK_ACTIONS", "TASK_SCOPES", "TASK_SORTS", "CaseFilter",
           "CaseListRow", "CasePage", "CommentView", "Dashboard", "DashboardFilter", "CaseDetail",
           "SavedFilterView", "SendBackTarget", "TaskDetail", "TaskFilter", "case_comments", "case_data",
           "case_page_view",
           "dashboard_view", "delete_filter", "diagram_of", "display_names", "filter_choices",
           "incidents_of", "case_detail", "case_events", "iter_cases", "list_cases", "list_filters",
           "list_case_views", "list_tasks", "matching_ids", "my_cases", "recent_outcomes", "rows_of",
           "save_filter", "shown_to", "startable_process", "startable_processes", "task_actions",
           "task_counts", "task_detail", "worklist_stamp", "migration_choices",
           "ApprovalView", "approvals_of", "InboxEntry", "inbox", "inbox_entry", "unread_count",
           "DecisionChoice", "DecisionOffer", "decision_offer", "list_decisions",
           "DELIVERY_CHANNELS", "DELIVERY_STATUSES", "DeliveryEntry", "delivery_counts", "delivery_log",
           "Heartbeat", "heartbeats", "outbox_depth", "timer_lag",
           "CALL_STATUSES", "ConnectorCallEntry", "connector_calls", "list_schedules",
           "VersionEntry", "version_diff", "version_list"]
