"""Reading a step's disclosure: only the fields the catalogue declares, as canonical models.

An adapter that reads a field its step does not declare is a bug that would send an agency
more than the citizen agreed to; reading through `DisclosedFields` makes that bug fail loudly
instead of leaking. Also here: the name line several agencies write the same way.
"""

from typing import Any, TypeVar

from pydantic import BaseModel, RootModel, ValidationError

from adapters.base import AgencyRejected, Disclosure
from onceonly.domain.address_model import PostalAddress
from onceonly.domain.addresses import premise_line, street_line
from onceonly.domain.catalogue import StepSpec
from onceonly.domain.people import PersonName

ModelT = TypeVar("ModelT", bound=BaseModel)


class _PostalAddress(RootModel[PostalAddress]):
    """A street address or a PO Box, whichever the disclosure holds."""


class DisclosedFields:
    """One step's disclosure, readable only through the fields its catalogue entry declares."""

    def __init__(self, step: StepSpec, disclosure: Disclosure) -> None:
        """Read `disclosure` on behalf of `step` (its agency names the errors)."""
        self._step = step
        self._disclosure = disclosure

    def optional(self, field: str) -> Any:
        """The field's value, or None when the citizen has none (absent or null)."""
        if field not in self._step.fields:
            # A programming error, but non-retryable all the same: retrying cannot fix it.
            raise AgencyRejected(
                self._step.agency,
                f"the adapter read {field}, which {self._step.id} does not disclose",
            )
        return self._disclosure.get(field)

    def required(self, field: str) -> Any:
        """The field's value; the step cannot go ahead without it."""
        value = self.optional(field)
        if value is None:
            raise AgencyRejected(self._step.agency, f"the disclosure has no value for {field}")
        return value

    def text(self, field: str) -> str:
        """A required text field (dates arrive as ISO text)."""
        value = self.required(field)
        if not isinstance(value, str):
            raise AgencyRejected(self._step.agency, f"{field} must be text in the disclosure")
        return value

    def model(self, field: str, model: type[ModelT]) -> ModelT:
        """A required field parsed back into its canonical model."""
        return self._parse(field, model, self.required(field))

    def postal_address(self, field: str) -> PostalAddress:
        """A disclosed postal address read back as what it is: a street address or a PO Box."""
        return self.model(field, _PostalAddress).root

    def optional_model(self, field: str, model: type[ModelT]) -> ModelT | None:
        """An optional field parsed back into its canonical model, or None."""
        value = self.optional(field)
        return None if value is None else self._parse(field, model, value)

    def _parse(self, field: str, model: type[ModelT], value: Any) -> ModelT:
        try:
            return model.model_validate(value)
        except ValidationError:
            # The validation message could quote personal data; the field name is enough.
            raise AgencyRejected(
                self._step.agency, f"{field} is not a canonical {model.__name__}"
            ) from None


def full_name(name: PersonName) -> str:
    """A name as one string, given names first: "Mere Ānahera Tūhoe-Synthetic"."""
    return " ".join([*name.given_names, name.family_name])


__all__ = ["DisclosedFields", "full_name", "premise_line", "street_line"]
