"""The invoice as documents: a branded PDF (WeasyPrint) and a UBL 2.1 e-invoice (B2, B7).

The e-invoice follows Peppol BIS Billing 3.0 (EN 16931): customization and profile ids,
seller and buyer with electronic addresses, VAT breakdown per category and rate, and
monetary totals that satisfy BR-CO-10 … BR-CO-16.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from portico.core.models import Branding

from . import conf
from .models import Invoice
from .money import to_money
from .services import billing_settings
from .totals import compute_totals

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

COUNTRY_CODES = {"united kingdom": "GB", "uk": "GB", "great britain": "GB", "ireland": "IE"}


def _read_static(path: str) -> str:
    found = finders.find(path)
    return Path(found).read_text(encoding="utf-8") if isinstance(found, str) else ""


def _logo_uri(branding: Branding) -> str:
    if not branding.logo:
        return ""
    try:
        return Path(branding.logo.path).as_uri()
    except (NotImplementedError, ValueError, OSError):
        return ""


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    lines = list(invoice.lines.all())
    totals = compute_totals((line.net_amount, line.tax_rate) for line in lines)
    parts_and_labour = [line for line in lines if line.is_parts_or_labour]
    return {
        "invoice": invoice,
        "lines": lines,
        "breakdown": totals.breakdown,
        "parts": [line for line in parts_and_labour if line.kind == line.Kind.PART],
        "labour": [line for line in parts_and_labour if line.kind == line.Kind.LABOUR],
        "amount_paid": invoice.amount_paid,
        "balance": invoice.balance,
        "seller": conf.seller(),
        "customer_site": invoice.organisation.sites.order_by("pk").first(),
    }


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice in the provider's branding, from an HTML template."""
    from weasyprint import HTML  # imported here: pango is loaded only when a PDF is made

    branding = Branding.current()
    context = invoice_context(invoice)
    context.update(
        branding=branding,
        logo_uri=_logo_uri(branding),
        tokens_css=_read_static("portico/tokens.css"),
        invoice_css=_read_static("billing/invoice_pdf.css"),
        generated_at=timezone.now(),
    )
    html = render_to_string("billing/invoice_pdf.html", context)
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


# --- UBL 2.1 / Peppol BIS Billing 3.0 -------------------------------------------------------

ET.register_namespace("", UBL_INVOICE)
ET.register_namespace("cac", CAC)
ET.register_namespace("cbc", CBC)


def _cbc(parent: ET.Element, tag: str, text: Any, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CBC}}}{tag}", attrs)
    element.text = str(text)
    return element


def _cac(parent: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{CAC}}}{name}")


def _amount(value: Decimal) -> str:
    return f"{to_money(value):.2f}"


def _quantity(value: Decimal) -> str:
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _country(name: str) -> str:
    code = name.strip()
    return code.upper() if len(code) == 2 else COUNTRY_CODES.get(code.lower(), "GB")


def _party(
    parent: ET.Element,
    *,
    endpoint: str,
    name: str,
    street: str,
    city: str,
    postcode: str,
    country: str,
    vat_id: str = "",
    company_id: str = "",
) -> None:
    party = _cac(parent, "Party")
    _cbc(party, "EndpointID", endpoint, schemeID="EM")
    _cbc(_cac(party, "PartyName"), "Name", name)
    address = _cac(party, "PostalAddress")
    if street:
        _cbc(address, "StreetName", street)
    if city:
        _cbc(address, "CityName", city)
    if postcode:
        _cbc(address, "PostalZone", postcode)
    _cbc(_cac(address, "Country"), "IdentificationCode", _country(country))
    if vat_id:
        tax_scheme = _cac(party, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", vat_id)
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", name)
    if company_id:
        _cbc(legal, "CompanyID", company_id)


def _buyer_endpoint(invoice: Invoice) -> str:
    settings = billing_settings(invoice.organisation)
    if settings.invoice_email:
        return settings.invoice_email
    member = invoice.organisation.memberships.select_related("user").order_by("pk").first()
    return member.user.email if member else f"{invoice.organisation.customer_number}@invalid"


def build_ubl(invoice: Invoice) -> bytes:
    """The issued invoice as a UBL 2.1 Invoice document, Peppol BIS Billing 3.0 flavoured."""
    if invoice.number is None or invoice.issued_on is None:
        raise ValueError("Only an issued invoice has an e-invoice.")
    currency = invoice.currency
    lines = list(invoice.lines.all())
    totals = compute_totals((line.net_amount, line.tax_rate) for line in lines)
    paid = invoice.amount_paid if invoice.status != Invoice.Status.VOIDED else Decimal(0)
    seller = conf.seller()
    branding = Branding.current()
    site = invoice.organisation.sites.order_by("pk").first()

    root = ET.Element(f"{{{UBL_INVOICE}}}Invoice")
    _cbc(root, "CustomizationID", PEPPOL_CUSTOMIZATION)
    _cbc(root, "ProfileID", PEPPOL_PROFILE)
    _cbc(root, "ID", invoice.number)
    _cbc(root, "IssueDate", invoice.issued_on.isoformat())
    if invoice.due_on:
        _cbc(root, "DueDate", invoice.due_on.isoformat())
    _cbc(root, "InvoiceTypeCode", "380")
    if invoice.is_for_child_account:
        _cbc(root, "Note", f"Charges of {invoice.account.name} ({invoice.account.customer_number})")
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", invoice.buyer_reference or invoice.organisation.customer_number)
    if invoice.period_start and invoice.period_end:
        period = _cac(root, "InvoicePeriod")
        _cbc(period, "StartDate", invoice.period_start.isoformat())
        _cbc(period, "EndDate", invoice.period_end.isoformat())

    _party(
        _cac(root, "AccountingSupplierParty"),
        endpoint=seller["endpoint"],
        name=branding.provider_name,
        street=seller["street"],
        city=seller["city"],
        postcode=seller["postcode"],
        country=seller["country"],
        vat_id=seller["vat_id"],
        company_id=seller["company_id"],
    )
    _party(
        _cac(root, "AccountingCustomerParty"),
        endpoint=_buyer_endpoint(invoice),
        name=invoice.organisation.name,
        street=site.street if site else "",
        city=site.city if site else "",
        postcode=site.postcode if site else "",
        country=site.country if site else "GB",
    )

    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", "30", **{"name": "Credit transfer"})
    _cbc(means, "PaymentID", invoice.number)
    _cbc(_cac(means, "PayeeFinancialAccount"), "ID", seller["iban"])
    terms = _cac(root, "PaymentTerms")
    _cbc(terms, "Note", f"Payment due by {invoice.due_on:%d %B %Y}" if invoice.due_on else "")

    tax_total = _cac(root, "TaxTotal")
    _cbc(tax_total, "TaxAmount", _amount(totals.tax), currencyID=currency)
    for part in totals.breakdown:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _cbc(subtotal, "TaxableAmount", _amount(part.taxable), currencyID=currency)
        _cbc(subtotal, "TaxAmount", _amount(part.tax), currencyID=currency)
        category = _cac(subtotal, "TaxCategory")
        _cbc(category, "ID", part.category)
        _cbc(category, "Percent", f"{part.rate:.2f}")
        _cbc(_cac(category, "TaxScheme"), "ID", "VAT")

    monetary = _cac(root, "LegalMonetaryTotal")
    _cbc(monetary, "LineExtensionAmount", _amount(totals.net), currencyID=currency)
    _cbc(monetary, "TaxExclusiveAmount", _amount(totals.net), currencyID=currency)
    _cbc(monetary, "TaxInclusiveAmount", _amount(totals.gross), currencyID=currency)
    if paid:
        _cbc(monetary, "PrepaidAmount", _amount(paid), currencyID=currency)
    _cbc(monetary, "PayableAmount", _amount(totals.gross - paid), currencyID=currency)

    for number, line in enumerate(lines, start=1):
        element = _cac(root, "InvoiceLine")
        _cbc(element, "ID", number)
        if line.reference:
            _cbc(element, "Note", line.reference)
        _cbc(element, "InvoicedQuantity", _quantity(line.quantity), unitCode=line.unit)
        _cbc(element, "LineExtensionAmount", _amount(line.net_amount), currencyID=currency)
        item = _cac(element, "Item")
        _cbc(item, "Name", line.description[:200])
        category = _cac(item, "ClassifiedTaxCategory")
        _cbc(category, "ID", "S" if line.tax_rate > 0 else "Z")
        _cbc(category, "Percent", f"{line.tax_rate:.2f}")
        _cbc(_cac(category, "TaxScheme"), "ID", "VAT")
        _cbc(_cac(element, "Price"), "PriceAmount", _amount(line.unit_price), currencyID=currency)

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
