// The one place that builds mathjs. Only the parser and the node classes are assembled, straight
// from their factories: no typed-function universe, no evaluate/import/createUnit. That keeps a
// cold start near `node -e 0` (see MATHJS-NOTES "Load time") and means a parsed rule file can
// never run code (see "Security"): there is nothing here that evaluates a node.
import {
  createAccessorNode,
  createArrayNode,
  createAssignmentNode,
  createBlockNode,
  createConditionalNode,
  createConstantNode,
  createFunctionAssignmentNode,
  createFunctionNode,
  createIndexNode,
  createNode,
  createObjectNode,
  createOperatorNode,
  createParenthesisNode,
  createParse,
  createRangeNode,
  createRelationalNode,
  createSymbolNode,
  type MathNode,
} from 'mathjs'

const noEvaluation = (): never => {
  throw new Error('derive never evaluates expressions through mathjs')
}

// The factories' dependency objects are untyped in mathjs's declarations.
const Node = createNode({ mathWithTransform: {} })
const SymbolNode = createSymbolNode({ math: {}, Node })
const deps: Record<string, unknown> = {
  Node,
  SymbolNode,
  math: {},
  subset: noEvaluation,
  size: noEvaluation,
  isBounded: () => true,
  ResultSet: noEvaluation,
  typed: noEvaluation,
}
const nodes = {
  AccessorNode: createAccessorNode(deps),
  ArrayNode: createArrayNode(deps),
  AssignmentNode: createAssignmentNode(deps),
  BlockNode: createBlockNode(deps),
  ConditionalNode: createConditionalNode(deps),
  ConstantNode: createConstantNode(deps),
  FunctionAssignmentNode: createFunctionAssignmentNode(deps),
  FunctionNode: createFunctionNode(deps),
  IndexNode: createIndexNode(deps),
  ObjectNode: createObjectNode(deps),
  OperatorNode: createOperatorNode(deps),
  ParenthesisNode: createParenthesisNode(deps),
  RangeNode: createRangeNode(deps),
  RelationalNode: createRelationalNode(deps),
  SymbolNode,
}
// parse is declared as a typed-function; with one signature we only need its string form.
const typed = Object.assign(
  (_name: string, signatures: Record<string, (...a: unknown[]) => unknown>) =>
    (text: string) => signatures['string, Object']!(text, {}),
  { addConversion: () => undefined },
)
/** A number literal as written: derive reads its exact value (a double would lose digits). */
export class NumberText {
  constructor(readonly text: string) {}
}
const mathParse = createParse({ ...nodes, typed, numeric: (s: string) => new NumberText(s), config: { number: "number" } }) as (
  text: string,
) => MathNode

/** mathjs's parser (throws SyntaxError with a 1-based `.char` on bad input). */
export const parseMathjs = (text: string): MathNode => mathParse(text)

