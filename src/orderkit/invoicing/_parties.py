"""The seller and the buyer named on a document."""

from __future__ import annotations

import attrs

from orderkit.errors import ValidationError

from ._checks import require

__all__ = ["Party", "PostalAddress"]


@attrs.frozen
class PostalAddress:
    """A postal address as EN 16931 needs it (BG-5 / BG-8).

    Attributes:
        street_lines: up to three address lines, first the street and number.
        city: the city or town.
        postal_code: the post code, if the country uses one.
        country: the ISO 3166-1 alpha-2 code, upper case (``"DE"``).
        region: the country subdivision (state, province), if any.
    """

    street_lines: tuple[str, ...]
    city: str
    country: str
    postal_code: str | None = None
    region: str | None = None

    def __attrs_post_init__(self) -> None:
        require(self.country, str, "country")
        require(self.city, str, "city")
        require(self.street_lines, tuple, "street_lines")
        for index, line in enumerate(self.street_lines):
            require(line, str, f"street_lines[{index}]")
        if not (len(self.country) == 2 and self.country.isascii() and self.country.isupper()):
            raise ValidationError(
                f"country {self.country!r} is not an ISO 3166-1 alpha-2 code", path="country"
            )
        if len(self.street_lines) > 3:
            raise ValidationError(
                f"at most 3 street lines, got {len(self.street_lines)}", path="street_lines"
            )
        if not self.city.strip():
            raise ValidationError("city must not be blank", path="city")

    def lines(self) -> tuple[str, ...]:
        """The address as printed lines, street first and country last."""
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        tail = tuple(part for part in (self.region, self.country) if part)
        return (*self.street_lines, place, *tail)


@attrs.frozen
class Party:
    """A seller or buyer: legal name, postal address and tax identifier.

    Attributes:
        name: the registered name.
        address: where the party is established.
        tax_id: the VAT (or other tax) identifier with its country prefix.
        company_id: the legal registration number, if any (BT-30 / BT-47).
        email: an electronic contact, if any.
        endpoint_id: the electronic address documents are delivered to (BT-34 /
            BT-49; a Peppol participant id), if any.
        endpoint_scheme: the EAS code of ``endpoint_id`` (``"0088"`` for GLN,
            ``"9930"`` for a German VAT number), required with it.
    """

    name: str
    address: PostalAddress
    tax_id: str | None = None
    company_id: str | None = None
    email: str | None = None
    endpoint_id: str | None = None
    endpoint_scheme: str | None = None

    def __attrs_post_init__(self) -> None:
        require(self.name, str, "name")
        require(self.address, PostalAddress, "address")
        if not self.name.strip():
            raise ValidationError("party name must not be blank", path="name")
        if (self.endpoint_id is None) != (self.endpoint_scheme is None):
            raise ValidationError(
                "give both endpoint_id and endpoint_scheme, or neither", path="endpoint_scheme"
            )
