"""The lessons' REST views, one module per lesson beside its panel's computation
(``panels/<lesson>.py``); ``index`` lists them."""
