// mathjs ships its factory functions but its type declarations do not list them.
import 'mathjs'

declare module 'mathjs' {
  type Factory = (dependencies: Record<string, unknown>) => unknown
  export const createAccessorNode: Factory
  export const createArrayNode: Factory
  export const createAssignmentNode: Factory
  export const createBlockNode: Factory
  export const createConditionalNode: Factory
  export const createConstantNode: Factory
  export const createFunctionAssignmentNode: Factory
  export const createFunctionNode: Factory
  export const createIndexNode: Factory
  export const createNode: Factory
  export const createObjectNode: Factory
  export const createOperatorNode: Factory
  export const createParenthesisNode: Factory
  export const createParse: Factory
  export const createRangeNode: Factory
  export const createRelationalNode: Factory
  export const createSymbolNode: Factory
}
