import {
  inboundWorkflowId,
  parseInboundWorkflowId,
  stockExternalId,
  syncBackWorkflowId,
} from '../../workflows/contract';

describe('workflow ids', () => {
  it('follows the contract', () => {
    expect(inboundWorkflowId('partner', 'P-1')).toBe('partner:P-1');
    expect(inboundWorkflowId('stock', stockExternalId('SUP', 'PROD'))).toBe('stock:SUP/PROD');
    expect(syncBackWorkflowId('WEB-9')).toBe('sync:sale_order:WEB-9');
  });

  it('parses inbound ids back, external ids with colons included', () => {
    expect(parseInboundWorkflowId('product:__export__.product:42')).toEqual({
      entityType: 'product',
      externalId: '__export__.product:42',
    });
    expect(parseInboundWorkflowId('sync:sale_order:WEB-9')).toBeNull();
    expect(parseInboundWorkflowId('nocolon')).toBeNull();
  });
});
