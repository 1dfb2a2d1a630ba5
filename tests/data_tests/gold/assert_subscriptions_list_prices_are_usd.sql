{#-
    MRR adds up list prices as US dollars: it is only right while every
    plan's list price is in USD. Returns the subscription periods priced in
    any other currency.
-#}
select
    subscription_id,
    plan_id,
    list_price_currency
from {{ ref('subscriptions') }}
where list_price_currency <> 'USD'
