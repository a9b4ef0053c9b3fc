"""The invoice PDF (WeasyPrint) and the UBL 2.1 / Peppol BIS 3.0 e-invoice (B2, B7)."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from django.urls import reverse
from pypdf import PdfReader

from portico.billing import services
from portico.billing.documents import CAC, CBC
from tests.billing.helpers import service_invoice

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).parent / "ubl" / "UBL-Invoice-2.1-subset.xsd"
NS = {"cac": CAC, "cbc": CBC}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_carries_number_totals_and_branding(foundation, alice_client):
    invoice = service_invoice(foundation)
    # Net 142.50 + 127.50 + 50.00 + 10.00 = 330.00; VAT 20% of 320.00 = 64.00.
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
        Decimal("330.00"),
        Decimal("64.00"),
        Decimal("394.00"),
    )

    response = alice_client.get(reverse("billing:invoice_pdf", args=[invoice.number]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    text = pdf_text(response.content)
    for expected in (invoice.number, "£330.00", "£64.00", "£394.00", "Acme Ltd"):
        assert expected in text
    assert "Northwind Office Services" in text  # the provider's branding


def test_ubl_validates_against_the_schema_and_carries_the_totals(foundation, alice_client):
    invoice = service_invoice(foundation)
    services.record_offline_payment(
        organisation=foundation.acme,
        amount=Decimal("94.00"),
        actor=foundation.users["sam"],
        invoices=[invoice],
    )

    response = alice_client.get(reverse("billing:invoice_ubl", args=[invoice.number]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.xml"'
    xmlschema.XMLSchema(str(SCHEMA)).validate(io.BytesIO(response.content))
    root = ET.fromstring(response.content)

    def amount(path: str) -> Decimal:
        element = root.find(path, NS)
        assert element is not None, path
        assert element.get("currencyID") == "GBP", path
        return Decimal(element.text or "")

    assert root.findtext("cbc:ID", namespaces=NS) == invoice.number
    assert "peppol.eu:2017:poacc:billing:3.0" in (
        root.findtext("cbc:CustomizationID", namespaces=NS) or ""
    )
    total = "cac:LegalMonetaryTotal/cbc:"
    assert amount(total + "LineExtensionAmount") == Decimal("330.00")
    assert amount(total + "TaxExclusiveAmount") == Decimal("330.00")
    assert amount(total + "TaxInclusiveAmount") == Decimal("394.00")
    assert amount(total + "PrepaidAmount") == Decimal("94.00")
    assert amount(total + "PayableAmount") == Decimal("300.00")
    assert amount("cac:TaxTotal/cbc:TaxAmount") == Decimal("64.00")
    # Peppol BR-CO-10: sum of line net amounts = LineExtensionAmount.
    lines = root.findall("cac:InvoiceLine/cbc:LineExtensionAmount", NS)
    assert sum(Decimal(e.text or "") for e in lines) == Decimal("330.00")
    # BR-CO-14 / BR-CO-17: VAT per category sums to the invoice VAT; 20% and 0% categories.
    subtotals = root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    by_category = {
        s.findtext("cac:TaxCategory/cbc:ID", namespaces=NS): (
            Decimal(s.findtext("cbc:TaxableAmount", namespaces=NS) or ""),
            Decimal(s.findtext("cbc:TaxAmount", namespaces=NS) or ""),
        )
        for s in subtotals
    }
    assert by_category == {
        "S": (Decimal("320.00"), Decimal("64.00")),
        "Z": (Decimal("10.00"), Decimal("0.00")),
    }


def test_the_schema_catches_a_misplaced_element(foundation):
    from portico.billing.documents import build_ubl

    root = ET.fromstring(build_ubl(service_invoice(foundation)))
    monetary = root.find("cac:LegalMonetaryTotal", NS)
    assert monetary is not None
    root.remove(monetary)
    root.append(monetary)  # after the lines: out of UBL's sequence
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        xmlschema.XMLSchema(str(SCHEMA)).validate(ET.tostring(root))


def test_carol_gets_no_acme_documents(foundation, carol_client):
    invoice = service_invoice(foundation)
    for name in ("billing:invoice_pdf", "billing:invoice_ubl"):
        assert carol_client.get(reverse(name, args=[invoice.number])).status_code == 404
