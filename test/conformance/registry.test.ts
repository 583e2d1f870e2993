import { expect } from 'chai';
import type { Member } from '@forgetrace/chaincode';
import { evaluate, openHarness, rejectedWith, submit, type Harness } from '../support/harness';
import { ensureConsortium, hash, isoIn } from '../support/scenario';

describe('conformance: registry', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  it('lists the registered members with their roles', async () => {
    const members = await evaluate<Member[]>(h, h.ids.auditor, 'registry:ListMembers', []);
    const byMsp = Object.fromEntries(members.map((m) => [m.mspId, m.role]));
    expect(byMsp).to.include({ Org1MSP: 'factory', Org2MSP: 'factory', Org3MSP: 'buyer', Org4MSP: 'auditor' });
  });

  it('initialises the consortium only once', async () => {
    await rejectedWith(submit(h, h.ids.admin1, 'registry:InitConsortium', [{ name: 'again', adminMsps: ['Org1MSP'] }]), 'ALREADY_EXISTS');
    const consortium = await evaluate(h, h.ids.buyer, 'registry:GetConsortium', []);
    expect(consortium.adminMsps).to.deep.equal(['Org1MSP']);
  });

  it('lets only a consortium administrator register members', async () => {
    const member = { mspId: `Org9${h.run}`.replace(/[^A-Za-z0-9]/g, ''), name: 'Newcomer', role: 'logistics', location: { site: 'Dock 1', country: 'NL' } };
    await rejectedWith(submit(h, h.ids.admin2, 'registry:RegisterMember', [member]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.operator1, 'registry:RegisterMember', [member]), 'ACCESS_DENIED');
    const created = await submit<Member>(h, h.ids.admin1, 'registry:RegisterMember', [member]);
    expect(created).to.include({ mspId: member.mspId, role: 'logistics' });
    expect(created.created.mspId).to.equal('Org1MSP');
    await rejectedWith(submit(h, h.ids.admin1, 'registry:RegisterMember', [member]), 'ALREADY_EXISTS');
  });

  it('lets a member update its own profile but not its role', async () => {
    const cert = { name: 'ISO 9001', hash: hash('iso9001-org2'), issuer: 'TÜV', validFrom: isoIn(-10), validUntil: isoIn(700) };
    const updated = await submit<Member>(h, h.ids.admin2, 'registry:UpdateMember', ['Org2MSP', { certifications: [cert] }]);
    expect(updated.certifications).to.have.length(1);
    expect(updated.role).to.equal('factory');
    const denied = await rejectedWith(submit(h, h.ids.admin2, 'registry:UpdateMember', ['Org2MSP', { role: 'buyer' }]), 'ACCESS_DENIED');
    expect(denied.message).to.match(/own role/);
    await rejectedWith(submit(h, h.ids.operator2, 'registry:UpdateMember', ['Org2MSP', { name: 'x' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.admin2, 'registry:UpdateMember', ['Org3MSP', { name: 'Hijack' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.admin1, 'registry:UpdateMember', ['NoSuchMSP', { name: 'x' }]), 'NOT_FOUND');
  });

  it('rejects malformed members, naming the field', async () => {
    const bad = await rejectedWith(submit(h, h.ids.admin1, 'registry:RegisterMember', [{ mspId: 'OrgXMSP', name: 'X', role: 'pirate', location: { site: 'a', country: 'DE' } }]), 'INVALID_INPUT');
    expect(bad.details?.field).to.equal('input.role');
    const cert = { name: 'ISO', hash: 'nothex', issuer: 'TÜV', validFrom: isoIn(0), validUntil: isoIn(1) };
    const badCert = await rejectedWith(submit(h, h.ids.admin1, 'registry:UpdateMember', ['Org1MSP', { certifications: [cert] }]), 'INVALID_INPUT');
    expect(badCert.details?.field).to.equal('patch.certifications.0.hash');
  });
});
