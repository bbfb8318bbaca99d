"""Which column of an import file feeds which field: presets recognised by the header line, a
suggestion from column-name synonyms for any other layout, and the validation of a mapping.

A mapping is {column name (or "0", "1"... without a header): target}. Several columns may feed one
target: the first non-empty value, in column order, is taken (tags and statuses from all of them).
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.text import fold

CUSTOMERS, ORDERS = "customers", "orders"
IGNORE = "ignore"
CUSTOM = "custom."  # custom.<key>: a custom field of the store (customers)

_ADDRESS = ("address.line1", "address.line2", "address.city", "address.region", "address.zip", "address.country")
CUSTOMER_TARGETS = frozenset({
    "email", "first_name", "last_name", "full_name", "phone", "company", "accepts_marketing", "note", "tags",
    "group", *_ADDRESS, "created_at", "external_id", IGNORE})
# API.md's order targets, plus full_name (Shopify's "Billing Name"), payment_status and fulfillment_status
# (one column per axis), cancelled_at and refunded (what order exports carry about cancellations/refunds).
ORDER_TARGETS = frozenset({
    "order_ref", "placed_at", "customer_email", "customer_external_id", "first_name", "last_name", "full_name",
    "sku", "product_name", "quantity", "unit_price", "currency", "status", "payment_status",
    "fulfillment_status", "cancelled_at", "shipping", "discount", "refunded", "payment_method",
    "delivery_method", "country", IGNORE})
TARGETS = {CUSTOMERS: CUSTOMER_TARGETS, ORDERS: ORDER_TARGETS}
# Targets the order carries once (Shopify writes them on the first line of each order only).
ORDER_LEVEL_TARGETS = frozenset({
    "customer_external_id", "first_name", "last_name", "full_name", "currency", "status", "payment_status",
    "fulfillment_status", "cancelled_at", "shipping", "discount", "refunded", "payment_method",
    "delivery_method", "country"})


def header_key(name: str) -> str:
    """How presets compare column names: case and spacing do not matter."""
    return " ".join(name.casefold().split())


def synonym_key(name: str) -> str:
    """How synonyms compare column names: accents, case, spaces and punctuation do not matter
    ("E-mail" = "email", "Prénom" = "prenom", "Straße" = "strasse")."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


# --- presets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    targets: dict[str, str]  # header_key -> target; other columns are ignored
    required: frozenset[str]  # header keys that identify the layout
    only_known_columns: bool = False  # the layout is recognised only if every column is one of `targets`
    cancelled_ref_prefix: str | None = None  # an order reference starting with it is a cancellation

    def matches(self, keys: set[str]) -> bool:
        return self.required <= keys and (not self.only_known_columns or keys <= set(self.targets))

    def mapping(self, columns: list[str]) -> dict[str, str]:
        return {column: self.targets.get(header_key(column), IGNORE) for column in columns}


def _preset(name: str, kind: str, targets: dict[str, str], required: Iterable[str], **options) -> Preset:
    keyed = {header_key(column): target for column, target in targets.items()}
    return Preset(name, kind, keyed, frozenset(header_key(column) for column in required), **options)


_SHOPIFY_CUSTOMERS = {
    "Customer ID": "external_id", "First Name": "first_name", "Last Name": "last_name", "Email": "email",
    "Accepts Email Marketing": "accepts_marketing", "Default Address Company": "company",
    "Default Address Address1": "address.line1", "Default Address Address2": "address.line2",
    "Default Address City": "address.city", "Default Address Province Code": "address.region",
    "Default Address Country Code": "address.country", "Default Address Zip": "address.zip",
    "Phone": "phone", "Note": "note", "Tags": "tags",
}
_SHOPIFY_CUSTOMERS_LEGACY = {
    "First Name": "first_name", "Last Name": "last_name", "Email": "email", "Company": "company",
    "Address1": "address.line1", "Address2": "address.line2", "City": "address.city",
    "Province": "address.region", "Province Code": "address.region", "Country": "address.country",
    "Country Code": "address.country", "Zip": "address.zip", "Phone": "phone",
    "Accepts Marketing": "accepts_marketing", "Tags": "tags", "Note": "note",
}
_MAGENTO_CUSTOMERS = {
    "email": "email", "firstname": "first_name", "lastname": "last_name", "created_at": "created_at",
}
_MAGENTO_ADDRESS = {
    "_address_company": "company", "_address_street": "address.line1", "_address_city": "address.city",
    "_address_region": "address.region", "_address_postcode": "address.zip",
    "_address_country_id": "address.country", "_address_telephone": "phone",
}
_WOOCOMMERCE_ANALYTICS = {
    "Name": "full_name", "Date registered": "created_at", "Email": "email", "Country / Region": "address.country",
    "Country": "address.country", "City": "address.city", "Region": "address.region", "Postal code": "address.zip",
}
_WOOCOMMERCE_EXPORT = {
    "customer_id": "external_id", "first_name": "first_name", "last_name": "last_name", "email": "email",
    "date_registered": "created_at", "billing_company": "company", "billing_email": "email",
    "billing_phone": "phone", "billing_address_1": "address.line1", "billing_address_2": "address.line2",
    "billing_postcode": "address.zip", "billing_city": "address.city", "billing_state": "address.region",
    "billing_state_code": "address.region", "billing_country": "address.country",
}
_ADMIN_PANEL = {
    "Name": "first_name", "Surname": "last_name", "Full name": "full_name", "Email": "email", "Note": "note",
    "Accept marketing": "accepts_marketing", "Customer group": "group",
}
_SHOPIFY_ORDERS = {
    "Name": "order_ref", "Email": "customer_email", "Financial Status": "payment_status",
    "Fulfillment Status": "fulfillment_status", "Currency": "currency", "Shipping": "shipping",
    "Discount Amount": "discount", "Shipping Method": "delivery_method", "Created at": "placed_at",
    "Lineitem quantity": "quantity", "Lineitem name": "product_name", "Lineitem price": "unit_price",
    "Lineitem sku": "sku", "Billing Name": "full_name", "Billing Country": "country",
    "Shipping Country": "country", "Cancelled at": "cancelled_at", "Payment Method": "payment_method",
    "Refunded Amount": "refunded",
}
_UCI_ONLINE_RETAIL = {
    "InvoiceNo": "order_ref", "StockCode": "sku", "Description": "product_name", "Quantity": "quantity",
    "InvoiceDate": "placed_at", "UnitPrice": "unit_price", "CustomerID": "customer_external_id",
    "Country": "country",
}

# Most specific first: the first that matches is the file's layout.
PRESETS: tuple[Preset, ...] = (
    _preset("shopify_customers", CUSTOMERS, _SHOPIFY_CUSTOMERS,
            ["First Name", "Last Name", "Email", "Accepts Email Marketing"]),
    _preset("shopify_customers_legacy", CUSTOMERS, _SHOPIFY_CUSTOMERS_LEGACY,
            ["First Name", "Last Name", "Email", "Accepts Marketing", "Address1", "Country Code"]),
    _preset("magento_customers_composite", CUSTOMERS, {**_MAGENTO_CUSTOMERS, **_MAGENTO_ADDRESS},
            ["email", "_website", "_store", "firstname", "lastname", "_address_street"]),
    _preset("magento_customers", CUSTOMERS, _MAGENTO_CUSTOMERS,
            ["email", "_website", "_store", "firstname", "lastname"]),
    _preset("woocommerce_analytics_customers", CUSTOMERS, _WOOCOMMERCE_ANALYTICS,
            ["Name", "Username", "Email", "Date registered", "Total spend"]),
    _preset("woocommerce_customers", CUSTOMERS, _WOOCOMMERCE_EXPORT,
            ["first_name", "last_name", "email", "billing_address_1"]),
    _preset("admin_panel", CUSTOMERS, _ADMIN_PANEL, ["Email"], only_known_columns=True),
    _preset("shopify_orders", ORDERS, _SHOPIFY_ORDERS,
            ["Name", "Email", "Financial Status", "Lineitem quantity", "Lineitem name", "Lineitem price"]),
    _preset("uci_online_retail", ORDERS, _UCI_ONLINE_RETAIL,
            ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"],
            cancelled_ref_prefix="C"),
)


def recognise_preset(kind: str, columns: list[str]) -> Preset | None:
    """The known layout of these columns, whatever their order, case, spacing, or extra columns."""
    keys = {header_key(column) for column in columns}
    return next((preset for preset in PRESETS if preset.kind == kind and preset.matches(keys)), None)


def preset_named(name: str | None) -> Preset | None:
    return next((preset for preset in PRESETS if preset.name == name), None)


# --- suggestions ----------------------------------------------------------------------------------

_NAME_SYNONYMS = {
    "first_name": "firstname first givenname forename fname vorname prenom nombre voornaam fornavn förnamn "
                  "nome imie",
    "last_name": "lastname last surname familyname lname nachname familienname nom nomdefamille apellido "
                 "apellidos achternaam efternavn efternamn cognome nazwisko",
    "full_name": "name fullname customername contactname billingname vollstandigername nomcomplet "
                 "nombrecompleto",
}
_CUSTOMER_SYNONYMS = {
    **_NAME_SYNONYMS,
    "email": "email emailaddress mail mailaddress emailadresse courriel adressemail adresseemail correo "
             "correoelectronico epost customeremail useremail",
    "phone": "phone phonenumber telephone tel mobile mobilephone cell cellphone telefon telefonnummer handy "
             "mobil telefono telefoon portable",
    "company": "company companyname organization organisation business firma unternehmen societe entreprise "
               "empresa bedrijf",
    "accepts_marketing": "acceptsmarketing acceptmarketing acceptsemailmarketing marketing newsletter optin "
                         "emailoptin marketingoptin subscribed consent",
    "note": "note notes comment comments remark remarks bemerkung notiz remarque",
    "tags": "tags tag labels",
    "group": "group customergroup gruppe kundengruppe groupe",
    "address.line1": "address address1 addressline1 street street1 streetaddress strasse str adresse rue "
                     "calle direccion straat line1",
    "address.line2": "address2 addressline2 street2 line2 adresszusatz complement complementdadresse",
    "address.city": "city town ort stadt ville ciudad plaats stad",
    "address.region": "region state province county bundesland provincia provincecode statecode",
    "address.zip": "zip zipcode postcode postalcode plz postleitzahl codepostal cp codigopostal",
    "address.country": "country countrycode land pays pais countryregion",
    "created_at": "createdat created datecreated dateregistered registered registrationdate signupdate "
                  "customersince",
    "external_id": "customerid customernumber clientid externalid kundennummer kundennr",
}
_ORDER_SYNONYMS = {
    **_NAME_SYNONYMS,
    "order_ref": "orderref ordernumber orderno orderid order reference invoiceno invoice invoicenumber "
                 "bestellnummer auftragsnummer commande numerodecommande",
    "placed_at": "placedat date orderdate createdat created invoicedate purchasedate datum bestelldatum",
    "customer_email": "customeremail email emailaddress mail courriel buyeremail billingemail",
    "customer_external_id": "customerid customernumber clientid kundennummer kundennr",
    "sku": "sku article articlenumber articleno artikel artikelnummer stockcode productcode itemcode "
           "productsku itemsku",
    "product_name": "productname product description item itemname title bezeichnung produkt designation "
                    "libelle lineitemname",
    "quantity": "quantity qty menge anzahl quantite cantidad units",
    "unit_price": "unitprice price priceeach itemprice preis einzelpreis stuckpreis prix prixunitaire precio",
    "currency": "currency currencycode wahrung devise moneda",
    "status": "status orderstatus bestellstatus statut",
    "payment_status": "paymentstatus financialstatus zahlungsstatus",
    "fulfillment_status": "fulfillmentstatus fulfilmentstatus shippingstatus deliverystatus versandstatus",
    "cancelled_at": "cancelledat canceledat cancellationdate",
    "shipping": "shipping shippingcost shippingamount shippingtotal versandkosten fraisdeport "
                "fraisdelivraison",
    "discount": "discount discountamount discounttotal rabatt remise descuento",
    "refunded": "refunded refundedamount refund refundamount",
    "payment_method": "paymentmethod payment zahlungsart zahlungsmethode modedepaiement",
    "delivery_method": "deliverymethod shippingmethod versandart modedelivraison",
    "country": "country countrycode shippingcountry billingcountry land pays pais",
}
_SYNONYMS = {
    kind: {word: target for target, words in table.items() for word in words.split()}
    for kind, table in ((CUSTOMERS, _CUSTOMER_SYNONYMS), (ORDERS, _ORDER_SYNONYMS))
}


def suggest_mapping(kind: str, columns: list[str], custom_field_keys: Iterable[str] = ()) -> dict[str, str]:
    """A mapping for a layout no preset knows, from column-name synonyms; each target is suggested
    for its first column only, anything unknown is `ignore`. Staff confirm it."""
    synonyms = _SYNONYMS[kind]
    if kind == CUSTOMERS:
        synonyms = {**synonyms, **{synonym_key(key): CUSTOM + key for key in custom_field_keys}}
    suggested, taken = {}, set()
    for column in columns:
        target = synonyms.get(synonym_key(column), IGNORE)
        if target in taken:
            target = IGNORE
        suggested[column] = target
        taken.add(target)
    lone_name = [column for column, target in suggested.items() if target == "full_name"]
    if lone_name and "last_name" in taken and "first_name" not in taken:
        suggested[lone_name[0]] = "first_name"  # "Name" beside "Surname" is the first name
    return suggested


# --- validation -----------------------------------------------------------------------------------


def validate_mapping(kind: str, mapping: dict[str, str], columns: list[str],
                     custom_field_keys: Iterable[str] = ()) -> dict[str, str]:
    """The mapping for every column of the file (columns it leaves out are ignored), or InvalidInput
    naming each bad column or target."""
    if kind not in TARGETS:
        raise InvalidInput(f"Unknown import kind '{kind}'.",
                           [{"field": "kind", "message": f"one of {sorted(TARGETS)}"}])
    custom_keys = set(custom_field_keys)
    details = []
    for column, target in mapping.items():
        where = f"mapping.{column}"
        if column not in columns:
            details.append({"field": where, "message": "the file has no such column"})
        elif kind == CUSTOMERS and target.startswith(CUSTOM):
            if target[len(CUSTOM):] not in custom_keys:
                details.append({"field": where, "message": f"'{target}': the store has no such custom field"})
        elif target not in TARGETS[kind]:
            details.append({"field": where, "message": f"'{target}' is not a target of an import of {kind}"})
    mapped = set(mapping.values())
    for missing in _missing_targets(kind, mapped):
        details.append({"field": "mapping", "message": f"no column is mapped to {missing}"})
    if details:
        raise InvalidInput("The mapping does not fit this file.", details)
    return {column: mapping.get(column, IGNORE) for column in columns}


def _missing_targets(kind: str, mapped: set[str]) -> list[str]:
    if kind == CUSTOMERS:
        return [] if "email" in mapped else ["email"]
    missing = [target for target in ("order_ref", "quantity", "unit_price") if target not in mapped]
    if not mapped & {"sku", "product_name"}:
        missing.append("sku or product_name")
    return missing


@dataclass(frozen=True)
class MappedColumns:
    """A validated mapping turned around: target -> its columns, in file order."""

    columns_of: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, mapping: dict[str, str]) -> "MappedColumns":
        columns_of: dict[str, list[str]] = {}
        for column, target in mapping.items():
            if target != IGNORE:
                columns_of.setdefault(target, []).append(column)
        return cls(columns_of)

    def first(self, target: str, values: dict[str, str]) -> tuple[str | None, str]:
        """(column, value) of the first non-empty value for `target`, or (None, '')."""
        for column in self.columns_of.get(target, ()):
            value = values.get(column, "").strip()
            if value:
                return column, value
        return None, ""

    def all(self, target: str, values: dict[str, str]) -> list[tuple[str, str]]:
        return [(column, values.get(column, "").strip()) for column in self.columns_of.get(target, ())
                if values.get(column, "").strip()]
