"""An invoice as a PDF document (fpdf2, core fonts: no font files to package)."""
from chalicelib.domain.invoices import Invoice


def _money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency}"


def _latin1(text: str) -> str:
    """Core PDF fonts speak Latin-1; anything else is shown as '?' rather than failing."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


def render(invoice: Invoice, seller: str = "Our shop") -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _latin1(f"Invoice {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    buyer = invoice.buyer
    address = buyer.get("address") or {}
    for text in [seller, f"Issued: {invoice.issued_at[:10]}", f"Order: {invoice.order_number}", "",
                 f"Bill to: {buyer.get('first_name', '')} {buyer.get('last_name', '')}",
                 address.get("company") or "", address.get("line1") or "",
                 " ".join(filter(None, [address.get("zip"), address.get("city"), address.get("country")]))]:
        pdf.cell(0, 6, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    if invoice.status == "cancelled":
        pdf.set_text_color(200, 0, 0)
        pdf.cell(0, 8, _latin1(f"CANCELLED {(invoice.cancelled_at or '')[:10]}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    with pdf.table(col_widths=(25, 75, 15, 30, 30), text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
        table.row(["SKU", "Product", "Qty", "Unit price", "Total"])
        for line in invoice.lines:
            table.row([_latin1(line["sku"]), _latin1(line["name"]), str(line["quantity"]),
                       _money(line["unit_price"], invoice.currency), _money(line["total"], invoice.currency)])
    pdf.ln(4)
    for label, amount in (("Subtotal", invoice.subtotal), ("Discount", -invoice.discount),
                          ("Shipping", invoice.shipping), ("Total", invoice.total)):
        pdf.cell(0, 6, _latin1(f"{label}: {_money(amount, invoice.currency)}"), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
