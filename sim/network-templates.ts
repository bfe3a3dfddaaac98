/**
 * The vocabulary of the simulated network: regions with their cities and time
 * zones, product categories with their units and typical costs, and words for
 * company names. Sizes beyond these lists fall back to numbered names.
 */

export interface CityTemplate {
  code: string;
  name: string;
  timeZone: string;
}

export interface RegionTemplate {
  code: string;
  name: string;
  cities: CityTemplate[];
}

const city = (code: string, name: string, timeZone: string): CityTemplate => ({ code, name, timeZone });

/** The first region holds the central DC. */
export const REGIONS: RegionTemplate[] = [
  {
    code: 'CE',
    name: 'Central',
    cities: [city('ORD', 'Chicago', 'America/Chicago'), city('DFW', 'Dallas', 'America/Chicago'), city('MSP', 'Minneapolis', 'America/Chicago'), city('STL', 'St. Louis', 'America/Chicago')]
  },
  {
    code: 'NE',
    name: 'Northeast',
    cities: [city('EWR', 'Newark', 'America/New_York'), city('BOS', 'Boston', 'America/New_York'), city('PHL', 'Philadelphia', 'America/New_York'), city('PIT', 'Pittsburgh', 'America/New_York')]
  },
  {
    code: 'SE',
    name: 'Southeast',
    cities: [city('ATL', 'Atlanta', 'America/New_York'), city('MIA', 'Miami', 'America/New_York'), city('CLT', 'Charlotte', 'America/New_York'), city('BNA', 'Nashville', 'America/Chicago')]
  },
  {
    code: 'WE',
    name: 'West',
    cities: [city('LAX', 'Los Angeles', 'America/Los_Angeles'), city('SEA', 'Seattle', 'America/Los_Angeles'), city('DEN', 'Denver', 'America/Denver'), city('PHX', 'Phoenix', 'America/Phoenix')]
  },
  {
    code: 'SW',
    name: 'Southwest',
    cities: [city('HOU', 'Houston', 'America/Chicago'), city('SAT', 'San Antonio', 'America/Chicago'), city('ABQ', 'Albuquerque', 'America/Denver'), city('ELP', 'El Paso', 'America/Denver')]
  },
  {
    code: 'MO',
    name: 'Mountain',
    cities: [city('SLC', 'Salt Lake City', 'America/Denver'), city('BOI', 'Boise', 'America/Boise'), city('BIL', 'Billings', 'America/Denver')]
  },
  { code: 'AK', name: 'Alaska', cities: [city('ANC', 'Anchorage', 'America/Anchorage'), city('FAI', 'Fairbanks', 'America/Anchorage')] },
  { code: 'HI', name: 'Hawaii', cities: [city('HNL', 'Honolulu', 'Pacific/Honolulu')] }
];

export interface CategoryTemplate {
  name: string;
  baseUnit: string;
  /** Median unit cost in minor units (cents). */
  costMedian: number;
  /** Median quantity of one order line, in base units. */
  lineQtyMedian: number;
  /** Whether the products come in packs (inner pack, case). */
  packed: boolean;
  nouns: string[];
  specs: string[];
}

const cat = (name: string, baseUnit: string, costMedian: number, lineQtyMedian: number, packed: boolean, nouns: string[], specs: string[]): CategoryTemplate => ({
  name,
  baseUnit,
  costMedian,
  lineQtyMedian,
  packed,
  nouns,
  specs
});

export const CATEGORIES: CategoryTemplate[] = [
  cat('fasteners', 'each', 12, 100, true, ['Hex bolt', 'Wood screw', 'Lock nut', 'Washer', 'Anchor', 'Rivet'], ['M4', 'M6', 'M8', 'M10', 'M12', '#8', '#10']),
  cat('hand tools', 'each', 1400, 2, false, ['Hammer', 'Screwdriver', 'Wrench', 'Pliers', 'Tape measure', 'Utility knife'], ['small', 'medium', 'large', 'pro', 'set']),
  cat('power tools', 'each', 9000, 1, false, ['Drill', 'Impact driver', 'Angle grinder', 'Circular saw', 'Jigsaw'], ['18V', '12V', 'corded', 'kit', 'brushless']),
  cat('electrical', 'each', 350, 10, true, ['Switch', 'Outlet', 'Breaker', 'Junction box', 'Wire connector'], ['15A', '20A', '30A', 'single', 'double']),
  cat('cable', 'm', 90, 50, true, ['Building wire', 'Flex cable', 'Data cable', 'Armored cable'], ['12 AWG', '14 AWG', 'Cat6', '3-core', '5-core']),
  cat('plumbing', 'each', 600, 6, true, ['Elbow', 'Tee', 'Ball valve', 'Coupling', 'Trap'], ['1/2"', '3/4"', '1"', 'PVC', 'copper']),
  cat('safety', 'each', 300, 12, true, ['Work gloves', 'Safety glasses', 'Ear plugs', 'Hard hat', 'Hi-vis vest'], ['S', 'M', 'L', 'XL', 'clear', 'amber']),
  cat('adhesives', 'each', 700, 6, true, ['Construction adhesive', 'Epoxy', 'Sealant', 'Thread locker'], ['tube', 'cartridge', 'fast cure', 'clear']),
  cat('abrasives', 'each', 90, 25, true, ['Sanding disc', 'Cut-off wheel', 'Flap disc', 'Sanding sheet'], ['P40', 'P80', 'P120', 'P240', '115 mm', '125 mm']),
  cat('lighting', 'each', 1500, 4, true, ['LED tube', 'Floodlight', 'High bay', 'Work light'], ['4 ft', '50 W', '100 W', '150 W']),
  cat('janitorial', 'each', 500, 8, true, ['Trash bags', 'Degreaser', 'Floor cleaner', 'Paper towels'], ['case', 'gallon', 'heavy duty', 'refill']),
  cat('packaging', 'each', 40, 200, true, ['Carton', 'Stretch film', 'Packing tape', 'Bubble wrap'], ['small', 'medium', 'large', '48 mm']),
  cat('hvac', 'each', 3500, 2, false, ['Air filter', 'Thermostat', 'Duct damper', 'Condensate pump'], ['MERV 8', 'MERV 13', '6"', '8"']),
  cat('hydraulics', 'each', 2800, 2, false, ['Hose assembly', 'Quick coupler', 'Pressure gauge', 'Cylinder seal kit'], ['1/4"', '3/8"', '1/2"', '3000 psi']),
  cat('paint', 'l', 900, 8, true, ['Primer', 'Enamel', 'Marking paint', 'Rust converter'], ['white', 'black', 'red', 'grey', 'clear']),
  cat('welding', 'kg', 1100, 5, true, ['MIG wire', 'Electrodes', 'Flux core wire', 'Brazing rod'], ['0.8 mm', '1.0 mm', '2.5 mm', '3.2 mm'])
];

export const COMPANY_FIRST = [
  'Acme', 'Summit', 'Keystone', 'Harbor', 'Prairie', 'Granite', 'Redwood', 'Beacon', 'Liberty', 'Pioneer', 'Atlas', 'Northgate',
  'Riverside', 'Ironclad', 'Bluewater', 'Evergreen', 'Cornerstone', 'Frontier', 'Lakeside', 'Sterling', 'Trident', 'Canyon', 'Meridian', 'Oakridge'
];

export const CUSTOMER_TRADES = [
  'Builders', 'Plumbing', 'Electric', 'Mechanical', 'Facilities', 'Contractors', 'Maintenance', 'Construction', 'Fabrication', 'Property Services',
  'HVAC', 'Industrial'
];

export const SUPPLIER_SUFFIXES = ['Manufacturing', 'Industries', 'Supply Co.', 'Products', 'Components', 'Works', 'Trading', 'Group'];
