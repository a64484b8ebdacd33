// Reading the setup form (frontend/templates/frontend/playground/index.html) into a config.
import { cloneConfig, type PlaygroundConfig, type Problem } from "./state";

export function readForm(form: HTMLFormElement, base: PlaygroundConfig): PlaygroundConfig {
  const c = cloneConfig(base);
  const v = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value;
  // what is not a number goes to the server as typed, so its refusal can quote it
  const num = (name: string, fallback: number) => {
    const x = v(name);
    if (x === undefined || x.trim() === "") return fallback;
    return Number.isFinite(Number(x)) ? Number(x) : (x as unknown as number);
  };
  c.dataset = v("dataset") ?? c.dataset;
  c.problem = (v("problem") as Problem) ?? c.problem;
  c.noise = num("noise", c.noise);
  c.n_samples = num("n", c.n_samples);
  c.train_ratio = num("ratio", c.train_ratio);
  const hidden = (v("hidden") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  c.hidden = hidden.map((w) => (Number.isFinite(Number(w)) ? Number(w) : (w as unknown as number)));
  // As typed: the server checks the names and says which one it does not know.
  c.activations = (v("activations") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean) as PlaygroundConfig["activations"];
  c.init = (v("init") ?? c.init) as PlaygroundConfig["init"];
  c.seed = num("seed", c.seed);
  c.lr = num("lr", c.lr);
  c.batch_size = num("m", c.batch_size);
  c.momentum = num("momentum", c.momentum);
  c.l2 = num("l2", c.l2);
  c.speed = num("speed", c.speed);
  c.features = Array.from(
    form.querySelectorAll<HTMLInputElement>('input[name="features"]:checked'),
  ).map((el) => el.value) as PlaygroundConfig["features"];
  if (c.dataset !== base.dataset || c.n_samples !== base.n_samples || c.noise !== base.noise) {
    c.added = [];
    c.removed = [];
  }
  return c;
}
