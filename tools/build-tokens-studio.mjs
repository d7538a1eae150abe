// Builds designlens' tokens-studio.json with Style Dictionary + @tokens-studio/sd-transforms,
// warnings as errors: `node build-tokens-studio.mjs path/to/tokens-studio.json out/dir/`.
// The file is Tokens Studio's single-file format (one token set plus $themes/$metadata),
// so the set's key is excluded (excludeParentKeys) before references resolve.
import StyleDictionary from "style-dictionary";
import { register } from "@tokens-studio/sd-transforms";

register(StyleDictionary, { excludeParentKeys: true });
const [source, buildPath] = process.argv.slice(2);
const sd = new StyleDictionary({
  source: [source],
  preprocessors: ["tokens-studio"],
  log: { warnings: "error", verbosity: "verbose" },
  // CSS `font` shorthand has no letter-spacing: one variable per typography member instead
  expand: { include: ["typography"] },
  platforms: {
    css: {
      transformGroup: "tokens-studio",
      transforms: ["name/kebab"],
      buildPath,
      files: [{ destination: "variables.css", format: "css/variables" }],
    },
  },
});
await sd.buildAllPlatforms();
