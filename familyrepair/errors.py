"""The one error hierarchy the domain raises; ``api.exceptions`` renders it as the JSON envelope.

Each error carries a stable snake_case ``code`` the PWA can branch on, and an HTTP status so the
domain need not import the API layer. Every code the API answers with is an ``ErrorCode``: the
ones we raise, and the ones Django REST framework's fields and request checks produce, which the
handler passes on (``tests/api/test_error_codes.py`` holds both lists to the enumeration).
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@unique
class ErrorCode(StrEnum):
    """The ``code`` of an error item; the values are the wire's and never change."""

    # --- Bad input (400): also DRF's own codes for the same faults ---------------------------
    INVALID = "invalid"  # a value of the wrong kind or shape; the default for bad input
    REQUIRED = "required"  # a field or choice is missing (no feelings, no steps, no parent named)
    BLANK = "blank"  # a text field holds only white space (a message)
    MAX_LENGTH = "max_length"  # a text is over its limit (note, message, reflection, reason)
    INVALID_CHOICE = "invalid_choice"  # not one of the listed values (size, need, step, outcome)
    OUT_OF_RANGE = "out_of_range"  # a number or time outside its range (intensity, space until)
    TOO_MANY = "too_many"  # more feelings than a flag may carry
    DUPLICATE = "duplicate"  # the same repair step twice in one change
    INCONSISTENT = "inconsistent"  # fields that do not go together ("space until" without space)
    UNKNOWN_FEELING = "unknown_feeling"  # a feeling code not in the vocabulary
    INVALID_BIRTH_YEAR = "invalid_birth_year"  # a birth year before 1900 or in the future
    INVALID_QUIET_HOURS = "invalid_quiet_hours"  # quiet hours without both ends, or start == end
    INVALID_TIME_ZONE = "invalid_time_zone"  # not an IANA time zone (model validation)
    TOO_MANY_REMINDERS = "too_many_reminders"  # a family's reminder schedule is too long
    REMINDERS_NOT_GROWING = "reminders_not_growing"  # reminder gaps not positive and increasing
    THERAPIST_STATUS_BY_STAFF = "therapist_status_by_staff"  # a therapist un-ticks is_therapist
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"  # an Idempotency-Key header is malformed
    INVALID_PAIRING_CODE = "invalid_pairing_code"  # a pairing code unknown, spent or expired
    INVALID_SHARE_CODE = "invalid_share_code"  # no verified therapist has that share code

    # --- Not found (404): outside the caller's reach looks the same as absent ----------------
    NOT_FOUND = "not_found"  # the default: no such thing, or not the caller's to see
    FAMILY_NOT_FOUND = "family_not_found"  # a family the caller is not in
    MEMBER_NOT_FOUND = "member_not_found"  # a member id not in that family
    CHILD_NOT_FOUND = "child_not_found"  # the child named is not a child of that family
    PARENT_NOT_FOUND = "parent_not_found"  # the parent named is not a parent of that family
    DEVICE_NOT_FOUND = "device_not_found"  # a child's device session that is not theirs
    INVITE_NOT_FOUND = "invite_not_found"  # no invite has that code (or it is another family's)
    CARE_GRANT_NOT_FOUND = "care_grant_not_found"  # no such care-team link in the family
    RUPTURE_NOT_FOUND = "rupture_not_found"  # a rupture the caller may not see (or none)
    NOTIFICATION_NOT_FOUND = "notification_not_found"  # a notification of someone else (or none)
    PUSH_SUBSCRIPTION_NOT_FOUND = "push_subscription_not_found"  # unsubscribing an unknown one
    SAFETY_REVIEW_NOT_FOUND = "safety_review_not_found"  # staff close a review that is not there

    # --- Not allowed (403): inside the family, not this person's to do -----------------------
    PERMISSION_DENIED = "permission_denied"  # the default; also DRF's permission classes
    PARENT_ONLY = "parent_only"  # a child tries a parent's action (settings, invites, steps)
    CHILD_ONLY = "child_only"  # a parent says "not OK yet" for the child
    NOT_A_PARTY = "not_a_party"  # a therapist or sibling acts on a rupture not theirs
    ONLY_STARTER_CAN_WITHDRAW = "only_starter_can_withdraw"  # withdrawing another's rupture
    OWN_MEMBERSHIP_ONLY = "own_membership_only"  # changing another member's own settings
    OWN_ACCOUNT = "own_account"  # managing the devices of a child with their own account
    AGE_RESTRICTED = "age_restricted"  # under 13: a parent decides (care team, own settings)
    CHILD_PROFILE = "child_profile"  # a child profile creates a family or deletes itself
    MFA_REQUIRED = "mfa_required"  # a therapist without a second factor reads family data
    THERAPIST_CLAIMS_LOCKED = "therapist_claims_locked"  # a verified therapist edits their claims
    STAFF_ONLY = "staff_only"  # someone other than site staff closes a safety review

    # --- Not now (409): the state forbids it -------------------------------------------------
    CONFLICT = "conflict"  # the default
    RUPTURE_IN_SAFETY_REVIEW = "rupture_in_safety_review"  # nothing moves while staff review it
    RUPTURE_NOT_RECONNECTED = "rupture_not_reconnected"  # a follow-up answer before reconnecting
    RUPTURE_CLOSED = "rupture_closed"  # acting on a reconnected or withdrawn rupture
    RUPTURE_ALREADY_ACKNOWLEDGED = "rupture_already_acknowledged"  # acknowledging twice
    RUPTURE_NOT_ACKNOWLEDGED = "rupture_not_acknowledged"  # steps or confirming before that
    ALREADY_CONFIRMED = "already_confirmed"  # one side confirms twice
    ALREADY_ANSWERED = "already_answered"  # one side answers the follow-up twice
    NO_PLAN = "no_plan"  # "did our plan help?" answered on a rupture with no plan
    SAFETY_REVIEW_CLOSED = "safety_review_closed"  # closing a closed safety review
    LAST_PARENT = "last_parent"  # the last parent leaves a family that has other members
    BIRTH_YEAR_SET = "birth_year_set"  # changing a birth year once it is set
    ALREADY_MEMBER = "already_member"  # accepting an invite to one's own family
    ON_CARE_TEAM = "on_care_team"  # a care-team therapist accepts an invite to the family
    ALREADY_ON_CARE_TEAM = "already_on_care_team"  # adding a therapist twice
    THERAPIST_IS_MEMBER = "therapist_is_member"  # a member added as the family's therapist
    INVITE_REVOKED = "invite_revoked"  # accepting a withdrawn invite
    INVITE_EXPIRED = "invite_expired"  # accepting an invite past its date
    INVITE_USED = "invite_used"  # accepting an invite with no uses left
    PRIVACY_NOTICE_OUTDATED = "privacy_notice_outdated"  # consent given to an older notice
    IDEMPOTENCY_REQUEST_IN_FLIGHT = "idempotency_request_in_flight"  # a replay while it runs

    # --- Cannot be processed (422) -----------------------------------------------------------
    UNPROCESSABLE = "unprocessable"  # the default
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"  # the same key with another request
    ADULT_MUST_JOIN_BY_INVITE = "adult_must_join_by_invite"  # an adult as a child profile
    NOT_A_CHILD_PROFILE = "not_a_child_profile"  # pairing or removing a child with an account
    TOO_YOUNG_FOR_PARENT_ROLE = "too_young_for_parent_role"  # a child accepts a parent invite
    UNDER_13_NEEDS_PARENT = "under_13_needs_parent"  # a birth year that makes one under 13
    NOT_A_THERAPIST = "not_a_therapist"  # staff verify an account that is not a therapist's

    # --- Therapists, check-ins and the release of a held flag -------------------------------
    THERAPIST_UNVERIFIED = (
        "therapist_unverified"  # a therapist staff have not verified reads care data
    )
    INVALID_PERIOD = "invalid_period"  # a dashboard or export period that is not a period
    CHECK_IN_ROUND_NOT_FOUND = "check_in_round_not_found"  # an answer to a round out of reach
    CHECK_IN_ROUND_CLOSED = "check_in_round_closed"  # an answer after the round closed
    CHECK_INS_OFF = "check_ins_off"  # an answer while the family has check-ins off
    PAIR_NOT_FOUND = "pair_not_found"  # a check-in about a parent-child pair the caller is not in
    TOO_YOUNG = "too_young"  # a child under 8 answers a check-in
    RELEASE_NOT_OFFERED = "release_not_offered"  # the child shares a flag no review released
    REFLECTION_OFF = "reflection_off"  # "not today" on an evening reflection that is off

    # --- Server (500) ------------------------------------------------------------------------
    SERVER_ERROR = "server_error"  # an unexpected error; nothing was saved
    SERVICE_UNAVAILABLE = "service_unavailable"  # 503: the database connection was lost (restart)

    # --- Passed on from Django REST framework: its field checks (400) ------------------------
    NULL = "null"  # null where a value is needed
    EMPTY = "empty"  # an empty list where one item is needed
    NOT_A_LIST = "not_a_list"  # a list field given something else
    NOT_A_DICT = "not_a_dict"  # an object field given something else
    MIN_LENGTH = "min_length"  # a text or list under its minimum
    MIN_VALUE = "min_value"  # a number under its minimum (ids start at 1)
    MAX_VALUE = "max_value"  # a number over its maximum (ids fit a bigint)
    MAX_STRING_LENGTH = "max_string_length"  # a number given as an overlong string
    DATE = "date"  # a date where a date and time is needed
    DATETIME = "datetime"  # a date and time where a date is needed (a dashboard's from and to)
    MAKE_AWARE = "make_aware"  # a time that does not exist in the time zone
    OVERFLOW = "overflow"  # a date and time out of range
    NULL_CHARACTERS_NOT_ALLOWED = "null_characters_not_allowed"  # NUL in a text
    SURROGATE_CHARACTERS_NOT_ALLOWED = "surrogate_characters_not_allowed"  # lone surrogates

    # --- Passed on from Django REST framework: its request checks ----------------------------
    PARSE_ERROR = "parse_error"  # 400: the body is not valid JSON
    NOT_AUTHENTICATED = "not_authenticated"  # 401: no session
    AUTHENTICATION_FAILED = "authentication_failed"  # 401: a session token that is not valid
    METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # 415: a body that is not JSON
    THROTTLED = "throttled"  # 429: too many requests; Retry-After says when to try again


class ApplicationError(Exception):
    status = 400
    default_code = ErrorCode.INVALID
    default_message: StrOrPromise = gettext_lazy("The request could not be completed.")

    def __init__(
        self,
        message: StrOrPromise | None = None,
        *,
        code: ErrorCode | None = None,
        param: str | None = None,
    ) -> None:
        # Rendered now, in the language of whoever the error is for (the request's).
        self.message = str(message or self.default_message)
        self.code = code or self.default_code
        self.param = param
        super().__init__(self.message)


class InvalidInput(ApplicationError):
    status = 400
    default_code = ErrorCode.INVALID


class NotFound(ApplicationError):
    """Anything outside the actor's reach: ids of other families leak nothing."""

    status = 404
    default_code = ErrorCode.NOT_FOUND
    default_message: StrOrPromise = gettext_lazy("Not found.")


class Forbidden(ApplicationError):
    status = 403
    default_code = ErrorCode.PERMISSION_DENIED
    default_message: StrOrPromise = gettext_lazy("You are not allowed to do that.")


class Conflict(ApplicationError):
    """The resource is not in a state that allows this action (e.g. an invalid transition)."""

    status = 409
    default_code = ErrorCode.CONFLICT
    default_message: StrOrPromise = gettext_lazy("That cannot be done now.")


class Unprocessable(ApplicationError):
    status = 422
    default_code = ErrorCode.UNPROCESSABLE
    default_message: StrOrPromise = gettext_lazy(
        "The request is well formed but cannot be processed."
    )
