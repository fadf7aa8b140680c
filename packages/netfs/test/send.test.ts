/** The shared HTTP scenarios against Node's `send` (what express.static serves Range with). */
import { describeHttpServer } from "./httpScenarios.js";
import { startSendServer } from "./servers/sendServer.js";

describeHttpServer({ name: "send", start: startSendServer });
