"""费用报销 through /api/v1 as the demo users: 张店长 (SH001) claims 12 800 元 of display props; 何主管
(region EAST) approves; above 10 000 元 陈总监 and 吴财务 countersign (会签), each only their own
share; 吴财务 pays. A refused claim ends rejected. Each step is refused to whoever does not hold it:
403 to one who took part or reads the store's cases, 404 to anybody else."""
from __future__ import annotations

from .handoff_api import Handoff, app  # noqa: F401 - on SQLite and PostgreSQL

CLAIM = {"store_code": "SH001", "claim_type": "expense", "purpose": "冬季橱窗",
         "claim_lines": [{"category": "display", "expense_date": "2026-10-20", "amount": 12800,
                          "note": "冬季橱窗道具"}]}


def test_a_large_claim_is_approved_countersigned_and_paid(api):
    flow = Handoff(api)
    case = flow.start("manager_sh001", "expense_claim", {**CLAIM, "photos": [flow.receipt("manager_sh001")]})
    approval = flow.step(case, "supervisor_approval")
    assert (approval["role"], approval["assignee"]) == ("store_supervisor", "supervisor_east")
    approve = {"approved": True, "supervisor_comment": "同意"}
    flow.offered(approval, ("supervisor_east",), approve, manager_sh001=403, manager_sh002=404,
                 manager_hz001=404, finance_wu=404, merch_zhao=404, franchisee_nj01=404)

    after = flow.complete("supervisor_east", approval, approve)
    shares = {t["assignee"] or t["role"]: t for t in after["open_tasks"]}
    assert {t["element_id"] for t in shares.values()} == {"claim_countersign"}
    assert set(shares) == {"director", "finance_wu"}
    sign = {"claim_countersign_approved": True, "countersign_comment": "同意"}
    flow.offered(shares["director"], ("director",), sign, finance_wu=403, supervisor_east=403,
                 manager_sh001=403, manager_sh002=404)
    flow.offered(shares["finance_wu"], ("finance_wu",), sign, director=403, supervisor_east=403,
                 manager_sh001=403, manager_sh002=404)
    flow.complete("director", shares["director"], sign)
    payment = flow.step(flow.complete("finance_wu", shares["finance_wu"], sign), "payment")

    assert flow.detail("finance_wu", payment)["case"]["pay_amount"] == 12800
    paid = {"payment_method": "bank_transfer", "payment_no": "PAY-2026-1105", "paid_date": "2026-11-05"}
    flow.offered(payment, ("finance_wu",), paid, director=403, supervisor_east=403, manager_sh001=403,
                 manager_sh002=404, manager_hz001=404)
    done = flow.complete("finance_wu", payment, paid)
    assert (done["status"], done["outcome"], done["open_tasks"]) == ("completed", "paid", [])


def test_a_claim_the_supervisor_refuses_ends_rejected(api):
    flow = Handoff(api)
    case = flow.start("manager_hz001", "expense_claim",
                      {**CLAIM, "store_code": "HZ001", "photos": [flow.receipt("manager_hz001")]})
    approval = flow.step(case, "supervisor_approval")
    assert approval["id"] not in flow.todo("manager_sh001")
    done = flow.complete("supervisor_east", approval, {"approved": False, "supervisor_comment": "超出预算"})
    assert (done["status"], done["outcome"], done["open_tasks"]) == ("completed", "rejected", [])
