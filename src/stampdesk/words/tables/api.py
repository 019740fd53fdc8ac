"""The HTTP API's own refusals (its JSON ``message``: the API speaks English,
like ``--json``; the French texts are for a surface that shows them)."""

EN = {
    "api.no_such_address": "no such address: {path} (the API is under /api/v1, see /docs)",
    "api.method_not_allowed": "{method} is not allowed on {path}",
    "api.length_required": "send the body with a Content-Length header",
    "api.too_large": "a request body may hold at most {limit} bytes",
    "api.invalid_json": "the body is not valid JSON: {detail}",
    "api.missing_field": "{field} is required",
    "api.unknown_field": "{field} is not a field of this request",
    "api.not_json": "send the body as JSON, with Content-Type: application/json (it came as {kind})",
    "api.duplicate_key": "the JSON body names {key} twice: send each field once",
}

FR = {
    "api.no_such_address": "adresse inconnue : {path} (l'API est sous /api/v1, voir /docs)",
    "api.method_not_allowed": "{method} n'est pas permis sur {path}",
    "api.length_required": "envoyez le corps avec un en-tête Content-Length",
    "api.too_large": "le corps d'une requête tient en {limit} octets au plus",
    "api.invalid_json": "le corps n'est pas du JSON valide : {detail}",
    "api.missing_field": "{field} est obligatoire",
    "api.unknown_field": "{field} n'est pas un champ de cette requête",
    "api.not_json": "envoyez le corps en JSON, avec Content-Type: application/json (il est venu en {kind})",
    "api.duplicate_key": "le corps JSON nomme {key} deux fois : envoyez chaque champ une fois",
}
