/** Names and titles for seeded people: many scripts, accents, apostrophes, mononyms. */
import type { Random } from './random.ts';

/** Given names and family names that travel together, written in their own script. */
export const NAME_POOLS: {
  given: string[];
  family: string[];
  familyFirst?: boolean;
  joiner?: string;
}[] = [
  {
    given: [
      'James',
      'Olivia',
      'Liam',
      'Emma',
      'Noah',
      'Ava',
      'Mary-Kate',
      'Ethan',
      'Grace',
      'Henry',
    ],
    family: ["O'Brien", "O'Connor", 'Smith', 'McAllister', 'Johnson', 'Walker', 'Thompson', 'Reed'],
  },
  {
    given: ['José', 'María', 'Ángel', 'Lucía', 'Nicolás', 'Inés', 'Sofía', 'Joaquín'],
    family: ['García', 'Núñez', 'Peña', 'Muñoz', 'Fernández', 'Ibáñez'],
  },
  {
    given: ['Zoë', 'Chloé', 'Hélène', 'François', 'Loïc', 'Maëlle', 'Anaïs'],
    family: ['Lefèvre', 'Dubois', 'Bélanger', "D'Aubigné", 'Mercier'],
  },
  {
    given: ['Jürgen', 'Jörg', 'Anneliese', 'Björn', 'Käthe', 'Günter'],
    family: ['Müller', 'Schröder', 'Weiß', 'Köhler', 'Groß'],
  },
  {
    given: ['Siobhán', 'Seán', 'Aoife', 'Niamh', 'Pádraig'],
    family: ['Ó Briain', 'Mac Giolla Phádraig', 'Ní Dhónaill', "D'Arcy"],
  },
  { given: ['An', 'Minh', 'Thảo', 'Hương'], family: ['Nguyễn', 'Trần', 'Lê', 'Phạm'] },
  {
    given: ['Дмитрий', 'Анна', 'Ольга', 'Сергей'],
    family: ['Иванов', 'Смирнова', 'Кузнецов', 'Попова'],
  },
  {
    given: ['太郎', '花子', '健', '美咲'],
    family: ['田中', '佐藤', '鈴木', '高橋'],
    familyFirst: true,
    joiner: ' ',
  },
  {
    given: ['伟', '芳', '娜', '磊'],
    family: ['王', '李', '张', '刘'],
    familyFirst: true,
    joiner: '',
  },
  { given: ['محمد', 'فاطمة', 'يوسف', 'ليلى'], family: ['العلي', 'الحسن', 'منصور'] },
  { given: ['Σοφία', 'Γιώργος', 'Ελένη'], family: ['Παπαδοπούλου', 'Νικολάου', 'Γεωργίου'] },
  { given: ['प्रिया', 'राहुल', 'अनन्या'], family: ['शर्मा', 'वर्मा', 'पटेल'] },
];

export const MONONYMS = ['Madonna', 'Teller', 'Zendaya', 'Björk', 'Pelé'];

export const TITLES = [
  'Software Engineer',
  'Field Technician',
  'Security Consultant',
  'Project Manager',
  'Data Analyst',
  'Nurse Practitioner',
  'Warehouse Associate',
  'UX Researcher',
  'Help Desk Analyst',
  'Auditor',
];

function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

export function personName(rng: Random): {
  name: string;
  given: string | null;
  family: string | null;
  slug: string;
} {
  if (rng.chance(0.01)) {
    const mono = rng.pick(MONONYMS);
    return { name: mono, given: mono, family: null, slug: asciiSlug(mono) || 'user' };
  }
  const pool = rng.pick(NAME_POOLS);
  const given = rng.pick(pool.given);
  const family = rng.pick(pool.family);
  const joiner = pool.joiner ?? ' ';
  const name = pool.familyFirst ? `${family}${joiner}${given}` : `${given} ${family}`;
  const slug = `${asciiSlug(given)}.${asciiSlug(family)}`.replace(/^\.|\.$/g, '');
  return { name, given, family, slug: slug === '.' || slug === '' ? '' : slug };
}
