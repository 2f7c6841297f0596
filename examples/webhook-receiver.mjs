// The demo's alert receiver: takes Alertmanager-style webhooks (payload version 4) from
// fleetgate and prints one line per alert. Usage: node examples/webhook-receiver.mjs [port]
import http from "node:http";

const port = Number(process.argv[2] ?? 18090);
http
  .createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      try {
        const payload = JSON.parse(body);
        for (const a of payload.alerts ?? [])
          console.log(
            `[webhook] ${a.status.toUpperCase()} ${a.labels.alertname} ${a.labels.severity ?? ""}: ` +
              `${a.annotations?.description ?? a.annotations?.summary ?? ""}`,
          );
        res.writeHead(200).end("ok");
      } catch (e) {
        console.log(`[webhook] unreadable payload: ${e.message}`);
        res.writeHead(400).end("bad payload");
      }
    });
  })
  .listen(port, "127.0.0.1", () => console.log(`[webhook] listening on 127.0.0.1:${port}`));
