import { render } from "preact";
import { App } from "./app";
import "./styles.css";
import "./journey.css";

render(<App />, document.getElementById("app")!);
