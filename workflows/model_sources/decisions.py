"""The decision tables business people tune without touching a diagram.

Cells are restricted Python as SpiffWorkflow evaluates them: a quoted string compares for
equality, a leading operator (`>= 5000`) compares the input, `-` matches anything. Hit policy FIRST:
rows are read top to bottom and the first match wins, so specific rows come before general ones and
every table ends in a catch-all row.
"""
from . import Decision, Rule

COMPLAINT_TRIAGE = Decision(
    id="complaint_triage",
    name="投诉分级",
    hit_policy="FIRST",
    doc="按投诉类别与索赔金额确定严重程度、处理角色、处理时限与重新调查上限。"
        "重大投诉（产品质量索赔≥5000元，或任何类别索赔≥10000元）一律由直营主管处理。",
    inputs=(
        ("投诉类别 category（product_quality 产品质量 / service 服务 / logistics 物流 / other 其他）",
         "category", "string"),
        ("索赔金额（元）amount_claimed", "amount_claimed", "number"),
    ),
    outputs=(
        ("严重程度 severity（minor 一般 / major 较重 / critical 重大）", "severity", "string"),
        ("处理角色 handler_role（角色键）", "handler_role", "string"),
        ("处理时限（小时）sla_hours", "sla_hours", "number"),
        ("重新调查上限（次）max_reopens", "max_reopens", "number"),
    ),
    rules=(
        Rule(('"product_quality"', ">= 5000"), ('"critical"', '"store_supervisor"', "12", "2"),
             "产品质量索赔≥5000元：重大投诉，直营主管12小时内处理"),
        Rule(("-", ">= 10000"), ('"critical"', '"store_supervisor"', "12", "2"),
             "任何类别索赔≥10000元：重大投诉，直营主管12小时内处理"),
        Rule(('"product_quality"', ">= 1000"), ('"major"', '"merchandiser"', "24", "2"),
             "产品质量索赔≥1000元：较重，商品专员24小时内处理"),
        Rule(('"product_quality"', "-"), ('"minor"', '"merchandiser"', "48", "2"),
             "其他产品质量投诉：一般，商品专员48小时内处理"),
        Rule(('"service"', ">= 2000"), ('"major"', '"store_manager"', "24", "2"),
             "服务投诉索赔≥2000元：较重，门店店长24小时内处理"),
        Rule(('"service"', "-"), ('"minor"', '"store_manager"', "24", "2"),
             "其他服务投诉：一般，门店店长24小时内处理"),
        Rule(('"logistics"', ">= 2000"), ('"major"', '"warehouse_keeper"', "24", "2"),
             "物流投诉索赔≥2000元：较重，仓管员24小时内处理"),
        Rule(('"logistics"', "-"), ('"minor"', '"warehouse_keeper"', "48", "2"),
             "其他物流投诉：一般，仓管员48小时内处理"),
        Rule(("-", "-"), ('"minor"', '"store_manager"', "48", "2"),
             "其他类别（价格、会员、环境等）：一般，由门店店长48小时内处理"),
    ),
)

COMPENSATION_APPROVAL = Decision(
    id="compensation_approval",
    name="赔付审批规则",
    hit_policy="FIRST",
    doc="调查提出的赔付是否需要客户服务经理审批。",
    inputs=(
        ("赔付金额（元）compensation_amount", "compensation_amount", "number"),
        ("严重程度 severity", "severity", "string"),
    ),
    outputs=(("需客户服务经理审批 needs_approval", "needs_approval", "boolean"),),
    rules=(
        Rule(("> 500", "-"), ("True",), "赔付金额超过500元：需客户服务经理审批"),
        Rule(("> 0", '"critical"'), ("True",), "重大投诉的任何赔付：需客户服务经理审批"),
        Rule(("-", "-"), ("False",), "其余：无需审批"),
    ),
)

RETURN_APPROVAL = Decision(
    id="return_approval",
    name="退货审批规则",
    hit_policy="FIRST",
    doc="客服审核通过后，按退货类型与金额决定是否需要商品部、运营总监审批（两者都需要时先商品部后总监）。",
    inputs=(
        ("退货类型 return_type（quality 质量问题 / overstock 积压滞销 / wrong_shipment 错发；"
         "短少不退货，走订货的少货申报）", "return_type", "string"),
        ("退货金额（元）total_amount", "total_amount", "number"),
    ),
    outputs=(
        ("需商品部审批 needs_merchandiser", "needs_merchandiser", "boolean"),
        ("需运营总监审批 needs_director", "needs_director", "boolean"),
    ),
    rules=(
        Rule(('"overstock"', "> 20000"), ("True", "True"), "积压退货超过20000元：商品部与运营总监审批"),
        Rule(('"overstock"', "-"), ("True", "False"), "积压退货：商品部审批"),
        Rule(('"quality"', "> 20000"), ("True", "True"),
             "质量退货超过20000元：商品部确认质量问题并报运营总监"),
        Rule(('"quality"', "> 5000"), ("True", "False"), "质量退货超过5000元：商品部确认质量问题"),
        Rule(("-", "> 20000"), ("False", "True"), "错发等超过20000元：运营总监审批"),
        Rule(("-", "-"), ("False", "False"), "其余：客服审核通过即可退货"),
    ),
)

TRANSFER_APPROVAL = Decision(
    id="transfer_approval",
    name="调拨审批规则",
    hit_policy="FIRST",
    doc="商品部审批后，按调出、调入双方的门店类型与调拨金额决定：涉及加盟店（其库存属于加盟商）需客服审批；"
        "金额超过50000元需运营总监审批。是否由财务结算看双方所有者（调拨前计算 needs_settlement）。",
    inputs=(
        ("调入门店类型 store_kind（direct 直营 / franchise 加盟）", "store_kind", "string"),
        ("调出方类型 from_store_kind（direct 直营 / franchise 加盟 / warehouse 仓库）", "from_store_kind",
         "string"),
        ("调拨金额（元）total_amount", "total_amount", "number"),
    ),
    outputs=(
        ("需客服审批 needs_cs", "needs_cs", "boolean"),
        ("需运营总监审批 needs_director", "needs_director", "boolean"),
    ),
    rules=(
        Rule(('"franchise"', "-", "> 50000"), ("True", "True"),
             "调入加盟店且金额超过50000元：客服、运营总监审批"),
        Rule(("-", '"franchise"', "> 50000"), ("True", "True"),
             "由加盟店调出且金额超过50000元：客服、运营总监审批"),
        Rule(('"franchise"', "-", "-"), ("True", "False"), "调入加盟店：客服审批"),
        Rule(("-", '"franchise"', "-"), ("True", "False"), "由加盟店调出：客服审批"),
        Rule(("-", "-", "> 50000"), ("False", "True"), "直营之间或仓库调出且金额超过50000元：运营总监审批"),
        Rule(("-", "-", "-"), ("False", "False"), "其余：商品部批准即可调拨"),
    ),
)


ORDER_CREDIT = Decision(
    id="order_credit",
    name="订货信用额度规则",
    hit_policy="FIRST",
    doc="客服审核订单后：订单金额加未结余额超出信用额度时，由财务决定是否放行。",
    inputs=(
        ("超出额度（元）：订单金额 + 未结余额 − 信用额度",
         "total_amount + outstanding_balance - credit_limit", "number"),
    ),
    outputs=(("需财务审批 needs_finance", "needs_finance", "boolean"),),
    rules=(
        Rule(("> 0",), ("True",), "超出信用额度：财务决定是否放行"),
        Rule(("-",), ("False",), "额度内：直接配货"),
    ),
)

EXPENSE_APPROVAL = Decision(
    id="expense_approval",
    name="报销审批规则",
    hit_policy="FIRST",
    doc="直营主管批准后，按申请类型与金额决定是否还需运营总监与财务会签。",
    inputs=(
        ("申请类型 claim_type（expense 费用报销 / advance 借支）", "claim_type", "string"),
        ("申请金额（元）claim_amount", "claim_amount", "number"),
    ),
    outputs=(("需运营总监与财务会签 needs_countersign", "needs_countersign", "boolean"),),
    rules=(
        Rule(('"advance"', "> 5000"), ("True",), "借支超过5000元：运营总监与财务会签"),
        Rule(("-", "> 10000"), ("True",), "报销超过10000元：运营总监与财务会签"),
        Rule(("-", "-"), ("False",), "其余：直营主管批准即可付款"),
    ),
)

STOCKTAKE_APPROVAL = Decision(
    id="stocktake_approval",
    name="盘点损溢审批",
    hit_policy="FIRST",
    doc="盘点净损失（盘亏减盘盈，按成本价）达到5000元，盘点损溢表须经运营总监审批后才能调整账面。",
    inputs=(("净损失（元）net_loss_amount", "net_loss_amount", "number"),),
    outputs=(("需运营总监审批 needs_director", "needs_director", "boolean"),),
    rules=(
        Rule((">= 5000",), ("True",), "净损失≥5000元：运营总监审批盘点损溢表"),
        Rule(("-",), ("False",), "其余：商品部核对后由财务直接调整账面"),
    ),
)

DECISIONS = (COMPLAINT_TRIAGE, COMPENSATION_APPROVAL, RETURN_APPROVAL, TRANSFER_APPROVAL, ORDER_CREDIT,
             EXPENSE_APPROVAL, STOCKTAKE_APPROVAL)
