"""Writes of the pricing app: ``<entity>_<action>(*, …, actor)``, one atomic block each, with
the audit record inside. Split by subject: catalogue (packages, price lists, policies), quotes,
contractors, receivables."""

from .catalogue import (  # noqa: F401
    PriceInput,
    package_save,
    policy_in_force,
    policy_save,
    price_in_force,
    price_list_create,
    price_list_delete,
    price_list_update,
    prices_in_force,
)
from .common import (  # noqa: F401
    ApplicationError,
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    may_act_for_customer,
    may_quote,
)
from .contractors import (  # noqa: F401
    NewContractor,
    contractor_choose,
    contractor_save,
    qualification_save,
)
from .quotes import (  # noqa: F401
    QUOTABLE,
    ItemInput,
    QuoteInput,
    drawing_add,
    drawing_remove,
    quote_compute,
    quote_confirm,
    quote_discard,
    quote_input_for,
    quote_input_from,
    quote_issue,
    quote_request_change,
    quote_save_draft,
)
from .receivables import (  # noqa: F401
    PaymentInput,
    billing_quote,
    payment_record,
    receivable_create_for_gas_on,
    receivable_reminders,
)
