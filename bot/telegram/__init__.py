"""The FAQ bot on Telegram, laid out as python-telegram-bot's rules-bot lays out its components.

- `app`: `build_application()`, which wires every handler, and the hooks around its life;
- `questions`, `commands`, `buttons`, `inline`, `admin`: the handlers, one module per kind;
- `callback_data`: the codec of inline-keyboard taps, from which the handlers' patterns come;
- `render`: HTML and keyboards for what the handlers send;
- `common`: what every handler shares (the application's data, the voice, sending);
- `runner`: `run()`, the entry point, and the checks of its settings.

Handlers are thin: each reads the current `Responder` once, asks it for a `Reply`, and hands that
to `render`. To add a handler module, write its `async def`s beside these and register them in
`app.build_application`.
"""
