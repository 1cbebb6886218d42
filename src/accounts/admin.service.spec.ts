import { AccountsRepository } from './accounts.repository';
import { AdminService } from './admin.service';
import { ApiKeyRevocations } from './api-key-revocations';
import { ApiKeysRepository } from './api-keys.repository';

const KEY_ID = '5b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe(AdminService.name, () => {
  describe('revokeApiKey', () => {
    let revoke: jest.Mock<Promise<boolean>, [string]>;
    let heard: string[];
    let sut: AdminService;

    beforeEach(() => {
      revoke = jest.fn<Promise<boolean>, [string]>().mockResolvedValue(true);
      const apiKeys = { revoke, findCredential: jest.fn() } as unknown as ApiKeysRepository;
      const revocations = new ApiKeyRevocations();
      heard = [];
      revocations.subscribe((id) => heard.push(id));
      sut = new AdminService({} as AccountsRepository, apiKeys, revocations);
    });

    it('should tell this process at once, not only through the database’s notification', async () => {
      await expect(sut.revokeApiKey(KEY_ID)).resolves.toEqual({ apiKeyId: KEY_ID, revoked: true });

      expect(revoke).toHaveBeenCalledWith(KEY_ID);
      expect(heard).toEqual([KEY_ID]);
    });

    it('should tell nobody when the revocation fails', async () => {
      revoke.mockRejectedValue(new Error('database down'));

      await expect(sut.revokeApiKey(KEY_ID)).rejects.toThrow('database down');

      expect(heard).toEqual([]);
    });
  });
});
