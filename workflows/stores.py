"""Regions and stores of the brand. A store-scoped task goes to the holders of its lane's role for
the case's `store_code`; a region-scoped one to holders for that store's region.
"""
from __future__ import annotations

from dataclasses import dataclass

DIRECT, FRANCHISE = "direct", "franchise"
PLANNED, OPEN, CLOSED = "planned", "open", "closed"

STORE_KINDS = {DIRECT: ("直营店", "Direct store"), FRANCHISE: ("加盟店", "Franchise store")}
STORE_STATUSES = {PLANNED: ("筹备中", "Planned"), OPEN: ("营业中", "Open"), CLOSED: ("已关闭", "Closed")}


@dataclass(frozen=True)
class Region:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class BrandStore:
    code: str
    name_zh: str
    name_en: str
    kind: str
    region: str
    city_zh: str
    city_en: str
    status: str
    address: str = ""
    owner: str = ""  # the franchisee company owning a franchise store; empty for the brand's own


#: The franchisee company of the demo's franchisee (冯老板, `franchisee_nj01`).
FENG = "南京冯氏服饰有限公司"

REGIONS: tuple[Region, ...] = (Region("EAST", "华东区", "East China"),)

STORES: tuple[BrandStore, ...] = (
    BrandStore("SH001", "上海南京路店", "Shanghai Nanjing Road", DIRECT, "EAST", "上海", "Shanghai", OPEN,
               "南京东路 300 号"),
    BrandStore("SH002", "上海徐家汇店", "Shanghai Xujiahui", DIRECT, "EAST", "上海", "Shanghai", OPEN,
               "肇嘉浜路 1111 号"),
    BrandStore("HZ001", "杭州湖滨店", "Hangzhou Hubin", DIRECT, "EAST", "杭州", "Hangzhou", OPEN,
               "延安路 258 号"),
    # 冯老板's company holds two franchise stores: a transfer between them is not settled.
    BrandStore("NJ01", "南京新街口加盟店", "Nanjing Xinjiekou (franchise)", FRANCHISE, "EAST", "南京",
               "Nanjing", OPEN, "中山路 18 号", owner=FENG),
    BrandStore("NJ02", "南京河西加盟店", "Nanjing Hexi (franchise)", FRANCHISE, "EAST", "南京",
               "Nanjing", OPEN, "江东中路 98 号", owner=FENG),
    # The manager is hired, the store is not open yet: the store-opening demo case opens it.
    BrandStore("SH003", "上海静安寺店", "Shanghai Jing'an Temple", DIRECT, "EAST", "上海", "Shanghai",
               PLANNED, "南京西路 1788 号"),
)

STORES_BY_CODE: dict[str, BrandStore] = {s.code: s for s in STORES}
REGIONS_BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS}
