/** The shared HTTP scenarios against nginx, where it is installed (CI installs nginx-light). */
import { describeHttpServer } from "./httpScenarios.js";
import { nginxSkipReason, startNginx } from "./servers/nginxServer.js";

describeHttpServer({ name: "nginx", start: (root) => startNginx(root), skip: nginxSkipReason() });
