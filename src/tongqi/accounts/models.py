"""Organisation (company → subsidiaries → departments and grids), districts and people."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DistrictKind, Role, UnitKind
from .roles import Cap, Scope, caps_for, scope_for


class District(models.Model):
    """An administrative district (GB/T 2260) or a functional zone used as a service area."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DistrictKind.choices)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A node of the organisation tree. ``path`` ("/1/4/9/") makes subtree queries one prefix."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    escalation_to = models.ForeignKey(
        "User",
        verbose_name=_("escalation contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who is told when work of this unit nears or passes its time limit."),
    )
    phone = models.CharField(_("service phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent_id else "/") + f"{self.pk}/"
        if path != self.path:
            self.path = path
            OrgUnit.objects.filter(pk=self.pk).update(path=path)

    @property
    def scope_root(self) -> OrgUnit:
        """A department works for the company or subsidiary it belongs to."""
        unit = self
        while unit.kind == UnitKind.DEPARTMENT and unit.parent_id:
            unit = unit.parent
        return unit

    @property
    def subsidiary(self) -> OrgUnit | None:
        unit: OrgUnit | None = self
        while unit is not None and unit.kind not in (UnitKind.SUBSIDIARY, UnitKind.COMPANY):
            unit = unit.parent
        return unit


class Grid(models.Model):
    """A grid (网格): the area an account-manager team serves, by district + streets or polygon."""

    unit = models.OneToOneField(
        OrgUnit,
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="grid",
        limit_choices_to={"kind": UnitKind.GRID},
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="grids",
    )
    streets = models.JSONField(
        _("streets"),
        default=list,
        blank=True,
        help_text=_("Street (街道) names this grid covers; empty means the whole district."),
    )
    polygon_wkt = models.TextField(
        _("area polygon (WKT, WGS-84)"),
        blank=True,
        help_text=_("Optional. When set, a located address is routed by the polygon first."),
    )
    meter_reader = models.ForeignKey(
        "User",
        verbose_name=_("meter reader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    safety_inspector = models.ForeignKey(
        "User",
        verbose_name=_("safety inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return self.unit.name


class TongqiUserManager(UserManager):
    pass


class User(AbstractUser):
    """A person who signs in: staff of the utility or a customer of an enterprise."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True, db_index=True)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.CUSTOMER)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)
    absent_until = models.DateField(
        _("absent until"),
        null=True,
        blank=True,
        help_text=_("While absent, new work goes to the named cover."),
    )
    cover = models.ForeignKey(
        "self",
        verbose_name=_("cover while absent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TongqiUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["role", "org_unit"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_staff_member(self) -> bool:
        return self.role != Role.CUSTOMER

    @property
    def caps(self) -> frozenset[Cap]:
        return caps_for(self.role) if self.is_active else frozenset()

    def can(self, cap: Cap | str) -> bool:
        return cap in self.caps

    @property
    def scope(self) -> Scope:
        return scope_for(self.role)

    def is_absent(self, on=None) -> bool:
        on = on or timezone.localdate()
        return bool(self.absent_until and self.absent_until >= on)


class UserSession(models.Model):
    """Which server-side sessions belong to whom, so logout-everywhere and disabling end them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}…"
