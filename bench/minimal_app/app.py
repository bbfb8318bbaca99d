"""The cold-start baseline: Chalice plus PynamoDB and nothing else, reading one item of the shop table.

Same route and same item as the app's GET /admin/customers/{customer_id}, without auth, validation or logging:
what a cold start costs when only the essentials are imported."""
import os

from chalice import Chalice
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

app = Chalice(app_name="minimal")


class Customer(Model):
    class Meta:
        table_name = os.environ["TABLE_NAME"]

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    email = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()


@app.route("/admin/customers/{customer_id}")
def get_customer(customer_id):
    item = Customer.get(f"CUST#{customer_id}", "PROFILE", consistent_read=True)
    return {"id": item.id, "email": item.email, "first_name": item.first_name, "last_name": item.last_name}
