// The Instant Access button and frame, written for this portal.
//
// The parent (Python state) decides whether the frame is open by passing
// `frameSrc`; this component only renders it and reports IA's messages.
// A message is accepted only when its origin is exactly `iaOrigin` AND it
// comes from this component's own iframe, so a second button, another frame
// or the page itself cannot speak for IA.
import React, { useEffect, useRef, useState } from "react";

// A message longer than this is shortened; a login longer than an email
// address can be (RFC 5321: 254 characters) is refused outright.
const MAX_TEXT = 500;
const MAX_LOGIN = 254;

function text(value) {
  return typeof value === "string" ? value.slice(0, MAX_TEXT) : null;
}

function login(value) {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= MAX_LOGIN ? trimmed : null;
}


export function IAButton({
  iaOrigin,
  frameSrc,
  label,
  busy,
  onOpen,
  onSuccess,
  onDenied,
  onTimeout,
  onAlert,
  onClose,
  onReject,
}) {
  const frameRef = useRef(null);
  const buttonRef = useRef(null);
  // The latest callbacks, read by the one listener added per origin.
  const handlers = useRef({});
  handlers.current = { onSuccess, onDenied, onTimeout, onAlert, onClose, onReject };
  const open = Boolean(frameSrc);

  useEffect(() => {
    const reject = (reason) => {
      console.debug("IA message ignored:", reason);
      handlers.current.onReject?.(reason);
    };
    const listener = (event) => {
      const frame = frameRef.current;
      // Another frame, the page itself or a closed frame: not ours. Only the
      // console hears of it: other scripts on a page post messages too.
      if (!frame || event.source !== frame.contentWindow) {
        console.debug("IA message ignored: not from this button's frame");
        return;
      }
      if (event.origin !== iaOrigin) return reject(`origin ${event.origin}`);
      const data = event.data;
      if (!data || typeof data !== "object") return reject("not an object");
      const h = handlers.current;
      if (data.action === "alert") {
        const message = text(data.message);
        return message === null ? reject("alert without text") : h.onAlert?.(message);
      }
      if (data.action === "closeframe") return h.onClose?.();
      if (data.action !== "auth") return reject("unknown action");
      if (data.status === "success") {
        const who = login(data.usernameOrEmail);
        return who ? h.onSuccess?.(who) : reject("success without a valid user");
      }
      const message = text(data.message) ?? "";
      if (data.status === "denied") return h.onDenied?.(message);
      if (data.status === "timeout") return h.onTimeout?.(message);
      return reject("unknown status");
    };
    window.addEventListener("message", listener);
    // The same function object is removed that was added.
    return () => window.removeEventListener("message", listener);
  }, [iaOrigin]);

  // Escape closes the frame; focus goes back to the button once it returns.
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (event) => {
      if (event.key === "Escape") handlers.current.onClose?.();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (wasOpen.current && !open) buttonRef.current?.focus();
    wasOpen.current = open;
  }, [open]);

  // Until IA's page has loaded, a spinner covers the frame (IA may be slow).
  const [loaded, setLoaded] = useState(false);
  useEffect(() => setLoaded(false), [frameSrc]);
  const frameLoaded = (event) => {
    setLoaded(true);
    // Keyboard users land in IA's form, not back at the top of the page.
    event.currentTarget.focus();
  };

  return (
    <div className="ia-button">
      {open ? (
        <div className="ia-frame-box" aria-busy={loaded ? "false" : "true"}>
          <iframe
            ref={frameRef}
            className="ia-frame"
            src={frameSrc}
            title="Instant Access"
            width="320"
            height="260"
            onLoad={frameLoaded}
          />
          {loaded ? null : (
            <div className="ia-frame-box__loading" role="status">
              <span className="ia-spinner" aria-hidden="true" />
              Connecting to Instant Access…
            </div>
          )}
        </div>
      ) : (
        <button
          ref={buttonRef}
          type="button"
          className="ia-button__button"
          aria-busy={busy ? "true" : "false"}
          disabled={Boolean(busy)}
          onClick={() => onOpen?.()}
        >
          {busy ? (
            <span className="ia-button__mark" aria-hidden="true">
              <span className="ia-spinner" />
            </span>
          ) : (
            <span className="ia-button__mark" aria-hidden="true">IA</span>
          )}
          <span className="ia-button__label">{label}</span>
        </button>
      )}
    </div>
  );
}
