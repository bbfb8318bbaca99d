"""The default order emails render with an order as the order service gives it: amounts as money,
every line, and the wire transfer reference is the order number."""
import pytest

from chalicelib.domain.mail import ORDER_TEMPLATES, SAMPLE_CUSTOMER, TEMPLATE_DESCRIPTIONS, money
from chalicelib.notify import mailer

ORDER = {
    "id": "01JBORDER", "number": 2071, "status": "open", "payment_status": "paid", "fulfillment_status": "shipped",
    "payment_method": "wire_transfer", "delivery_method": "standard", "currency": "EUR",
    "subtotal": 4250, "discount": 500, "shipping": 490, "total": 4240,
    "lines": [{"sku": "MUG-01", "name": "Enamel mug", "quantity": 2, "unit_price": 1250, "discount": 0, "total": 2500},
              {"sku": "TEA-07", "name": "Earl <Grey> & co", "quantity": 1, "unit_price": 1750, "discount": 0, "total": 1750}],
    "shipping_address": {"name": "Ann Smith", "line1": "1 Rue de Rivoli", "line2": "Bât. B", "city": "Paris",
                         "zip": "75001", "country": "FR"},
    "created_at": "2026-11-02T09:00:00.000Z",
}


def _parts(template: str, order: dict = ORDER) -> tuple[str, str, str]:
    message = mailer.render(template, {"order": order, "customer": SAMPLE_CUSTOMER})
    return message["Subject"], message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_money_shows_minor_units_as_an_amount_with_its_currency():
    assert money(1250, "EUR") == "12.50 EUR"
    amounts = (money(5, "USD"), money(0, "EUR"), money(-375, "EUR"), money(100000))
    assert amounts == ("0.05 USD", "0.00 EUR", "-3.75 EUR", "1000.00")


@pytest.mark.parametrize("template", ORDER_TEMPLATES)
def test_every_order_template_renders_the_order_number_for_shipping_and_for_pickup(template):
    # Given an order shipped to an address, and the same order collected in the shop
    pickup = {**ORDER, "delivery_method": "pickup", "shipping_address": None}
    for order in (ORDER, pickup):
        # When the email is rendered from the default files
        subject, text, html = _parts(template, order)
        # Then it names the order and greets the customer, in both parts
        assert "#2071" in subject and "\n" not in subject
        assert "Hello Ann" in text and "Hello Ann" in html and "2071" in text and "2071" in html
    assert template in TEMPLATE_DESCRIPTIONS


def test_order_received_lists_every_line_and_the_totals_as_money():
    # When the order confirmation is rendered
    _, text, html = _parts("order_received")
    # Then each line and the totals are there, as amounts; the HTML escapes the product names
    assert "2 x Enamel mug (MUG-01) at 12.50 EUR: 25.00 EUR" in text and "Earl <Grey> & co" in text
    for amount in ("Subtotal: 42.50 EUR", "Discount: -5.00 EUR", "Shipping: 4.90 EUR", "Total: 42.40 EUR"):
        assert amount in text
    assert "Earl &lt;Grey&gt; &amp; co" in html and "42.40 EUR" in html
    assert "1 Rue de Rivoli" in text and "Bât. B" in text and "75001 Paris" in text


def test_an_address_without_name_or_zip_shows_no_gaps():
    # Given an order shipped to an address with only the required fields
    sparse = {"name": None, "company": None, "line1": "Main road 5", "line2": None, "city": "Valletta", "region": None,
              "zip": None, "country": "MT", "phone": None}
    for template in ("order_received", "order_shipped"):
        # When the email is rendered
        _, text, html = _parts(template, {**ORDER, "shipping_address": sparse})
        # Then the address reads as given, with no "None" for what is missing
        assert "Main road 5\nValletta\nMT" in text and "Main road 5<br>Valletta<br>MT" in html
        assert "None" not in text + html


def test_wire_transfer_instructions_give_the_total_and_the_order_number_as_reference():
    # When the wire transfer instructions are rendered
    _, text, html = _parts("wire_transfer_instructions")
    # Then they ask for the total with the order number as reference, bank details to be set by staff
    assert "transfer 42.40 EUR" in text and "Reference: 2071" in text
    assert "IBAN: (set your bank details in this template)" in text
    assert "<strong>42.40 EUR</strong>" in html and "Reference: <strong>2071</strong>" in html


def test_a_cancelled_paid_order_announces_a_refund_and_an_unpaid_one_does_not():
    assert "refunded" in _parts("order_cancelled")[1]
    assert "refunded" not in _parts("order_cancelled", {**ORDER, "payment_status": "awaiting_verification"})[1]


def test_every_default_template_passes_the_checks_staff_templates_get():
    # Given the default parts (staff start from them when they edit a template)
    from chalicelib.domain.mail import sample_contexts

    for template in TEMPLATE_DESCRIPTIONS:
        for part, source in mailer.default_parts(template).items():
            # Then each compiles in the sandbox and renders the sample contexts
            assert mailer.check(part, source, sample_contexts(template)) is None, (template, part)


def test_a_staff_template_failing_on_a_real_order_falls_back_to_the_default():
    # Given staff's text that rendered with the sample order but not with this one (it has one line)
    from chalicelib.domain.mail import TemplateOverride

    override = TemplateOverride(name="order_shipped", body="Second item: {{ order.lines[1].name }}", updated_at="", updated_by="")
    # When the email is rendered for an order with a single line
    message = mailer.render("order_shipped", {"order": {**ORDER, "lines": ORDER["lines"][:1]}, "customer": SAMPLE_CUSTOMER},
                            override)
    # Then the customer gets the default text rather than no email
    assert "has left our warehouse" in message.get_body(("plain",)).get_content()
