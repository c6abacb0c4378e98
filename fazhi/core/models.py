"""The organisation tree and who works where in which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Level(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区(县)"
    SUBDISTRICT = "subdistrict", "街道(乡镇)"
    COMMUNITY = "community", "社区(村)"


class Kind(models.TextChoices):
    GOVERNMENT = "government", "人民政府"
    DEPARTMENT = "department", "部门"
    SECTION = "section", "科室"
    STATION = "station", "站所"
    COMMITTEE = "committee", "委员会/办公室"
    OTHER = "other", "其他"


class Role(models.TextChoices):
    CLERK = "clerk", "经办人"
    REVIEWER = "reviewer", "审核人"
    HEAD = "head", "负责人"
    RULE_OF_LAW_OFFICE = "rule_of_law_office", "依法治区办"
    EVALUATOR = "evaluator", "考核人员"
    ADMIN = "admin", "系统管理员"


PATH_STEP = 5  # characters per level in Unit.path: "00001" .. "99999"


class Unit(models.Model):
    """A node of the organisation tree (单位).

    ``path`` is a materialised path ("00001.00004.00012.") so that "this unit and everything
    below it" is one indexed prefix query on every database.
    """

    name = models.CharField("名称", max_length=120)
    short_name = models.CharField("简称", max_length=20, help_text="用于案号，如“东”")
    code = models.CharField("单位编码", max_length=40, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级单位")
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    path = models.CharField(max_length=255, unique=True, editable=False)
    is_rule_of_law_office = models.BooleanField("依法治区(市)办", default=False)
    is_reconsideration_body = models.BooleanField("行政复议机构", default=False)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count(".") - 1

    def is_within(self, other: Unit) -> bool:
        """True when this unit is ``other`` or lies below it."""
        return self.path.startswith(other.path)

    def district(self) -> Unit | None:
        """The nearest ancestor (or self) at district level."""
        node: Unit | None = self
        while node is not None:
            if node.level in (Level.DISTRICT, Level.CITY) and node.kind == Kind.GOVERNMENT:
                return node
            node = node.parent
        return None


class Membership(models.Model):
    """A user holds a role in a unit; the role reaches the unit and everything below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name="单位")
    role = models.CharField("角色", max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class ThrottleHit(models.Model):
    """One counted request of a public, unauthenticated action (a portal request, a file checked),
    kept to limit floods. The client is kept only as keyed digests of its address and of its
    network (``core/throttle.py``), never the address itself."""

    scope = models.CharField(max_length=40)
    client = models.CharField(max_length=64)
    network = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "client", "created_at"], name="throttle_client"),
            models.Index(fields=["scope", "network", "created_at"], name="throttle_network"),
        ]


class ChallengeUse(models.Model):
    """A challenge (the portal's arithmetic question) once answered: a token is good for one request."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(db_index=True)


class AccessKind(models.TextChoices):
    VIEW = "view", "查看案件"
    LIST = "list", "查看台账列表"
    EXPORT = "export", "导出台账（含个人信息）"


class PersonalDataAccess(models.Model):
    """One page or export that showed a user natural persons' data (a register's declared
    ``personal_data``): who, when, which record or which list with how many rows and what filters.
    The personal values themselves are never written here (a search text may be a person's name:
    only that a search was made is kept). Written in the request that showed the data, one INSERT."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="人员")
    username = models.CharField("用户名", max_length=150)
    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("方式", max_length=10, choices=AccessKind.choices)
    register = models.CharField("台账", max_length=40)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    case_number = models.CharField("案号", max_length=80, blank=True)
    # whose data it is: the record's unit, or for a list the narrowest unit holding every row
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="数据所属单位")
    rows = models.PositiveIntegerField("条数", null=True, blank=True)
    filters = models.CharField("筛选条件", max_length=300, blank=True)

    class Meta:
        verbose_name = "个人信息查阅记录"
        verbose_name_plural = "个人信息查阅记录"
        indexes = [models.Index(fields=["user", "at"], name="access_user_at")]


class CacheVersion(models.Model):
    """A counter bumped by every write that changes what a cached page part shows
    (``fazhi/core/pagecache.py``): kept in the database so that every server process sees it."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "缓存版本"
        verbose_name_plural = "缓存版本"
