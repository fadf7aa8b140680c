/** The machine a report was measured on: the same description `pktio bench` prints. */
export { describeMachine, type Machine } from "@pktio/cli";
