"""A small FastAPI app, written the way FastAPI's tutorial writes one (skipped by its tests when FastAPI is missing).

`create_app()` returns a fresh app: items kept in a dict the lifespan fills,
a dependency that checks an `X-Token` header, a form with an upload, a
streamed CSV, a background task and a WebSocket that echoes JSON.
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoints' annotations at runtime,
# and the names they use are imported inside create_app().
from contextlib import asynccontextmanager
from typing import Any

__all__ = ["create_app"]


def create_app() -> Any:
    try:
        from fastapi import BackgroundTasks, Depends, FastAPI, File, Form, Header, HTTPException, UploadFile, WebSocket
        from fastapi.responses import StreamingResponse
    except ImportError:
        raise RuntimeError("examples.fastapi_items needs FastAPI: python -m pip install fastapi python-multipart") from None

    sent = []  # the addresses the background task saw

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        app.state.items = {"foo": {"name": "Foo", "price": 50.2}}
        yield
        app.state.items.clear()

    app = FastAPI(lifespan=lifespan)
    app.state.sent = sent

    async def verify_token(x_token: str = Header()) -> None:
        if x_token != "coneofsilence":
            raise HTTPException(status_code=400, detail="X-Token header invalid")

    @app.get("/items/{item_id}", dependencies=[Depends(verify_token)])
    async def read_item(item_id: str) -> Any:
        if item_id not in app.state.items:
            raise HTTPException(status_code=404, detail="Item not found")
        return app.state.items[item_id]

    @app.post("/items/", dependencies=[Depends(verify_token)])
    async def create_item(item: dict) -> Any:
        if item["id"] in app.state.items:
            raise HTTPException(status_code=409, detail="Item already exists")
        app.state.items[item["id"]] = item
        return item

    @app.post("/files/")
    async def create_file(token: str = Form(), note: str = Form(), file: UploadFile = File()) -> Any:
        return {"token": token, "note": note, "filename": file.filename, "size": len(await file.read())}

    @app.get("/report.csv")
    async def report() -> Any:
        async def rows() -> Any:
            yield "name,price\n"
            for item in app.state.items.values():
                yield f"{item['name']},{item['price']}\n"

        return StreamingResponse(rows(), media_type="text/csv")

    @app.post("/notify/{email}")
    async def notify(email: str, background_tasks: BackgroundTasks) -> Any:
        background_tasks.add_task(sent.append, email)
        return {"message": "Notification sent in the background"}

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        data = await websocket.receive_json()
        await websocket.send_json({"echo": data})
        await websocket.close(code=1000)

    return app
